"""A one-page PDF of a coaching session for the 1:1, in the reader's language.

The PDF is handed to the agent, so it carries the shared part only: private
notes are never written into it, whoever downloads it. Chinese needs a CJK
font; we look for one on the system and say clearly when there is none.
"""
import os
import shutil
import subprocess
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from portal.coaching import SessionView, focus_label
from portal.errors import ValidationFailed
from portal.formatting import format_date
from portal.i18n import Translator

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@lru_cache
def cjk_font() -> tuple[str, int]:
    """(path, index in a collection) of a font with Simplified Chinese glyphs."""
    explicit = os.environ.get("PORTAL_CJK_FONT")
    paths = [explicit] if explicit else []
    paths += [p for p in FONT_CANDIDATES if Path(p).is_file()]
    if not paths and shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
        if found.lower().endswith((".ttf", ".otf", ".ttc")):
            paths.append(found)
    for path in paths:
        if path and Path(path).is_file():
            return path, _simplified_index(path)
    raise ValidationFailed("coaching.error.no_cjk_font")


def _simplified_index(path: str) -> int:
    """In a font collection, pick the Simplified Chinese face (e.g. 'Noto Sans CJK SC')."""
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    names = [f["name"].getDebugName(4) or "" for f in TTCollection(path).fonts]
    return next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)


class _SessionPdf(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self):
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(120)
        self.cell(0, 6, self.footer_text, align="C")


def deferred_session_pdf(view: SessionView, t: Translator) -> Callable[[], bytes]:
    """The PDF as a callable for a deferred download button, built only when clicked.

    Building one PDF embeds a CJK font and takes seconds; a page listing ten
    sessions must not build ten on every rerun. The font is looked up now, so
    a missing font still fails clearly (ValidationFailed) when the page runs.
    """
    cjk_font()
    return lambda: session_pdf(view, t)


def session_pdf(view: SessionView, t: Translator) -> bytes:
    path, index = cjk_font()
    pdf = _SessionPdf(t("coaching.pdf.footer", id=view.id, version=view.version))
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.add_font("cjk", "B", path, collection_font_number=index)  # table headings ask for bold
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, t("coaching.pdf.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    facts = [(t("coaching.col.agent"), view.agent_name), (t("coaching.col.coach"), view.author_name),
             (t("coaching.col.held_on"), format_date(view.held_on, t.language)), (t("coaching.col.focus_area"), focus_label(t, view.focus_area)),
             (t("coaching.col.follow_up_on"), format_date(view.follow_up_on, t.language)),
             (t("coaching.col.acknowledged"), _ack_text(view, t))]
    if view.effect is not None:
        facts.append((t("coaching.col.effect"), _effect_text(view, t)))
    for label, value in facts:
        pdf.set_text_color(90)
        pdf.cell(40, 6, label)
        pdf.set_text_color(0)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    _section(pdf, t("coaching.shared_notes"), view.shared_notes or "—")
    if view.links:
        _section(pdf, t("coaching.links"), "\n".join(_link_text(link, t) for link in view.links))
    _action_table(pdf, view, t)
    if view.ack_comment:
        _section(pdf, t("coaching.agent_comment"), view.ack_comment)
    return bytes(pdf.output())


def _section(pdf: FPDF, title: str, body: str) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 5.5, body, new_x="LMARGIN", new_y="NEXT")


def _action_table(pdf: FPDF, view: SessionView, t: Translator) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, t("coaching.action_items"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    if not view.action_items:
        pdf.multi_cell(0, 6, t("coaching.no_action_items"), new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(col_widths=(90, 40, 30, 25), text_align="LEFT") as table:
        table.row([t("coaching.col.description"), t("coaching.col.owner"), t("coaching.col.due_on"), t("coaching.col.status")])
        for item in view.action_items:
            status = t("coaching.item_done") if item.done else t("coaching.item_open")
            table.row([item.description, item.owner_name, format_date(item.due_on, t.language), status])


def _ack_text(view: SessionView, t: Translator) -> str:
    if view.acknowledged_at is not None:
        return t("coaching.acknowledged_on", when=format_date(view.acknowledged_at, t.language))
    return t("coaching.awaiting_ack_until", due=format_date(view.ack_due_on, t.language))


def _effect_text(view: SessionView, t: Translator) -> str:
    e = view.effect
    fmt = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
    return t("coaching.effect_text", before=fmt(e.before_avg), before_n=e.before_n, after=fmt(e.after_avg),
             after_n=e.after_n)


def _link_text(link, t: Translator) -> str:
    title = link.exam_title_zh if t.language == "zh-CN" and link.exam_title_zh else link.exam_title_en
    if link.kind == "supervised_review":
        return t("coaching.link_review", ref=link.ref_id)
    percent = "—" if link.percent is None else f"{link.percent:.0f}"
    return t("coaching.link_attempt", title=title or "#" + str(link.ref_id), percent=percent,
             on=format_date(link.submitted_on, t.language))
