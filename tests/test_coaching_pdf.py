"""The coaching PDF: Chinese drawn for real, a refusal instead of a silent drop, a readable layout, speed."""
import io
import shutil
import subprocess
import time
from datetime import date

import pytest

from portal import coaching_pdf, pdf_fonts
from portal.coaching import ActionItemView, Effect, LinkView, SessionView
from portal.errors import ValidationFailed
from portal.i18n import Translator, translate

pypdf = pytest.importorskip("pypdf")
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def has_cjk_font() -> bool:
    try:
        coaching_pdf.cjk_font()
        return True
    except ValidationFailed:
        return False


needs_cjk = pytest.mark.skipif(not has_cjk_font(), reason="no CJK font: install fonts-noto-cjk (README set-up)")


def a_session(shared_notes="共享：复习国际漫游资费\n第二行：练习开场白。", agent_name="陈杰") -> SessionView:
    return SessionView(
        id=7, agent_id=1, agent_name=agent_name, author_id=2, author_name="王丽", team_id=1,
        held_on=date(2026, 11, 20), focus_area="product", shared_notes=shared_notes, private_notes="私密",
        follow_up_on=date(2026, 12, 4), ack_due_on=date(2026, 11, 27), acknowledged_at=None, ack_comment="",
        version=2, links=(LinkView("attempt", 3, "Product exam", "产品考试", 72.0, date(2026, 11, 1)),),
        action_items=(ActionItemView(1, 7, "重读资费表", 1, "陈杰", date(2026, 12, 1), False, False),),
        effect=Effect(71.0, 2, 92.0, 2))


def pdf_text(data: bytes) -> str:
    """The text a reader copies out of the PDF: poppler's pdftotext where installed, else pypdf."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                              check=True).stdout.decode()
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


@pytest.fixture
def fresh_font_lookup():
    coaching_pdf.cjk_font.cache_clear()
    yield
    coaching_pdf.cjk_font.cache_clear()


@pytest.mark.skipif(not shutil.os.path.isfile(DEJAVU), reason="needs DejaVu to stand for a Latin-only system font")
def test_a_font_without_chinese_is_refused_not_used(monkeypatch, tmp_path, fresh_font_lookup):
    """fc-match answers DejaVu on a machine without a CJK font: it must not be taken (it drew no Chinese)."""
    fake_fc_match = tmp_path / "fc-match"
    fake_fc_match.write_text(f"#!/bin/sh\nprintf '%s' '{DEJAVU}'\n")
    fake_fc_match.chmod(0o755)
    monkeypatch.setattr(pdf_fonts, "FONT_CANDIDATES", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_CJK_FONT", DEJAVU)
    with pytest.raises(ValidationFailed) as refused:
        coaching_pdf.cjk_font()
    assert refused.value.key == "coaching.error.no_cjk_font"


@needs_cjk
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_chinese_is_in_the_pdf_text(language):
    data = coaching_pdf.session_pdf(a_session(), Translator(language))
    text = "".join(pdf_text(data).split())
    assert "共享：复习国际漫游资费" in text and "第二行：练习开场白。" in text and "陈杰" in text
    assert ("辅导记录" in text) == (language == "zh-CN")
    assert "私密" not in text


@needs_cjk
def test_a_character_the_font_lacks_refuses_the_pdf_in_the_readers_language():
    with pytest.raises(ValidationFailed) as refused:
        coaching_pdf.session_pdf(a_session(shared_notes="打得好 😀"), Translator("zh-CN"))
    error = refused.value
    assert error.key == "coaching.error.pdf_uncovered_chars"
    assert "U+1F600" in error.params["chars"] and error.params["count"] == 1
    assert "无法显示" in translate(error.key, "zh-CN", **error.params)
    assert "U+1F600" in str(error)


@needs_cjk
def test_the_download_button_is_refused_before_the_click_when_a_name_cannot_be_drawn():
    with pytest.raises(ValidationFailed, match="U\\+0E01"):
        coaching_pdf.deferred_session_pdf(a_session(agent_name="陈杰 ก"), Translator("en"))
    assert callable(coaching_pdf.deferred_session_pdf(a_session(), Translator("en")))


def text_runs(data: bytes) -> list[tuple[str, float]]:
    runs = []
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append((text, tm[4] + cm[4])))
    return [(text.replace("\x00", "").strip(), x) for text, x in runs if text.replace("\x00", "").strip()]


@needs_cjk
def test_the_effect_label_does_not_run_into_its_value():
    """'Exam average before → after' is wider than the old 40 mm label column: the value starts after it."""
    data = coaching_pdf.session_pdf(a_session(), Translator("en"))
    runs = text_runs(data)
    label_x = next(x for text, x in runs if text.startswith("Exam average before"))
    value_x = next(x for text, x in runs if text.startswith("71.0"))
    probe = coaching_pdf._SessionPdf(coaching_pdf.cjk_font(), "")
    probe.set_font(coaching_pdf.FAMILY, size=10)
    label_width_pt = probe.get_string_width("Exam average before → after") * probe.k
    assert value_x >= label_x + label_width_pt


@needs_cjk
def test_the_second_pdf_of_a_process_is_quick():
    """The parsed font is kept for the process: only the first PDF pays for reading 20 MB of font."""
    view, t = a_session(), Translator("zh-CN")
    pdf_fonts._parsed_font.cache_clear()
    started = time.perf_counter()
    coaching_pdf.session_pdf(view, t)
    first_click = time.perf_counter() - started
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        coaching_pdf.session_pdf(view, t)
        timings.append(time.perf_counter() - started)
    second_click = sorted(timings)[1]
    print(f"\ncoaching PDF (zh-CN): first click {first_click * 1000:.0f} ms, second click {second_click * 1000:.0f} ms")
    assert second_click < 0.75 * first_click and second_click < 1.0  # about 0.2 s on a quiet machine; the old code took 1-2.6 s every time


@needs_cjk
def test_warming_up_parses_the_font_so_the_first_pdf_costs_what_the_second_does():
    """The server warms the font up as it starts (portal/ui/web.py): the first click then pays no parse."""
    from portal import pdf_fonts
    pdf_fonts._parsed_font.cache_clear()
    pdf_fonts.warm_up()
    assert pdf_fonts._parsed_font.cache_info().currsize == 1
    coaching_pdf.session_pdf(a_session(), Translator("zh-CN"))
    assert pdf_fonts._parsed_font.cache_info().hits >= 1 and pdf_fonts._parsed_font.cache_info().misses == 1
