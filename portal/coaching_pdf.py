"""A one-page PDF of a coaching session for the 1:1, in the reader's language.

The PDF is handed to the agent, so it carries the shared part only: private
notes are never written into it, whoever downloads it. Chinese needs a CJK
font (the README's set-up installs Debian's fonts-noto-cjk). A font is taken
only if its character map holds Chinese, and every character drawn is checked
against it: a character the font cannot draw refuses the PDF with a clear
message instead of silently vanishing from the page.
"""
import copy
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from portal.coaching import SessionView, focus_label
from portal.errors import ValidationFailed
from portal.formatting import format_date
from portal.i18n import Translator, localized_field

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
CHINESE_PROBE = "中文辅导记录"  # a font whose map lacks these is no Chinese font (e.g. DejaVu from fc-match)
FAMILY = "cjk"
UNCOVERED_SHOWN = 10
UNUSED_TABLES = {"vmtx", "vhea", "VORG", "BASE", "GSUB", "GPOS", "GDEF"}


@dataclass(frozen=True)
class CjkFont:
    """A font file (and face in a collection) with its character map, parsed once per process."""

    path: str
    index: int
    cmap: frozenset[int]

    def uncovered(self, text: str) -> list[str]:
        """The characters of `text` this font has no glyph for (line breaks and tabs aside)."""
        return sorted({c for c in text if c not in "\n\r\t" and ord(c) not in self.cmap})


@lru_cache
def cjk_font() -> CjkFont:
    """The first installed font whose map holds Simplified Chinese; ValidationFailed if none."""
    for path in _font_paths():
        if not Path(path).is_file():
            continue
        index = _simplified_index(path)
        cmap = frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap() or ())
        if all(ord(c) in cmap for c in CHINESE_PROBE):
            return CjkFont(path, index, cmap)
    raise ValidationFailed("coaching.error.no_cjk_font")


def _font_paths() -> list[str]:
    explicit = os.environ.get("PORTAL_CJK_FONT")
    paths = [explicit] if explicit else []
    paths += list(FONT_CANDIDATES)
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
        if found.lower().endswith((".ttf", ".otf", ".ttc")):
            paths.append(found)
    return paths


def _simplified_index(path: str) -> int:
    """In a font collection, pick the Simplified Chinese face (e.g. 'Noto Sans CJK SC')."""
    if not path.lower().endswith(".ttc"):
        return 0
    names = [f["name"].getDebugName(4) or "" for f in TTCollection(path, lazy=True).fonts]
    return next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)


@lru_cache(maxsize=2)
def _parsed_font(font: CjkFont) -> TTFFont:
    """fpdf2's parse of the font (widths, glyph ids, descriptor), done once per process.

    Parsing a 20 MB CJK collection takes about half a second; each PDF gets a
    shallow copy with its own subset and its own lazily opened font file
    (fpdf2 subsets that file in place when it writes the PDF).
    """
    return TTFFont(FPDF(), Path(font.path), FAMILY, "", collection_font_number=font.index)


def _add_cached_font(pdf: FPDF, font: CjkFont) -> None:
    """What fpdf2 2.8's `add_font` does, from the kept parse (pyproject pins fpdf2 below 2.9 for this)."""
    parsed = copy.copy(_parsed_font(font))
    parsed.i = len(pdf.fonts) + 1
    parsed.ttfont = TTFont(font.path, recalcTimestamp=False, fontNumber=font.index, lazy=True)
    for tag in UNUSED_TABLES.intersection(parsed.ttfont.keys()):
        del parsed.ttfont[tag]  # vertical metrics and layout: never drawn, and costly to subset
    parsed.subset = SubsetMap(parsed)
    parsed.missing_glyphs = []
    parsed.biggest_size_pt = 0
    pdf.fonts[FAMILY] = parsed
    if parsed.is_cff and parsed.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


class _SessionPdf(FPDF):
    """A4 with the CJK font, a footer, and a record of every character drawn."""

    def __init__(self, font: CjkFont, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.drawn: set[str] = set()
        _add_cached_font(self, font)

    def normalize_text(self, text: str) -> str:
        self.drawn.update(text)
        return super().normalize_text(text)

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(120)
        self.cell(0, 6, self.footer_text, align="C")


def deferred_session_pdf(view: SessionView, t: Translator) -> Callable[[], bytes]:
    """The PDF as a callable for a deferred download button, built only when clicked.

    Building one PDF takes a fraction of a second; a page listing ten sessions
    must not build ten on every rerun. The font and its coverage of what people
    wrote are checked now, so a missing font or a character it cannot draw
    fails clearly (ValidationFailed) where the page shows the button.
    """
    _refuse_uncovered(cjk_font(), set("".join(_written_texts(view, t))))
    return lambda: session_pdf(view, t)


def _written_texts(view: SessionView, t: Translator) -> list[str]:
    """What people typed that the PDF shows (the labels are ours and checked by the tests)."""
    return [view.agent_name, view.author_name, view.shared_notes, view.ack_comment,
            *(_link_text(link, t) for link in view.links),
            *(text for item in view.action_items for text in (item.description, item.owner_name))]


def session_pdf(view: SessionView, t: Translator) -> bytes:
    font = cjk_font()
    pdf = _SessionPdf(font, t("coaching.pdf.footer", id=view.id, version=view.version))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 10, t("coaching.pdf.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    _facts_table(pdf, _facts(view, t))
    _section(pdf, t("coaching.shared_notes"), view.shared_notes or "—")
    if view.links:
        _section(pdf, t("coaching.links"), "\n".join(_link_text(link, t) for link in view.links))
    _action_table(pdf, view, t)
    if view.ack_comment:
        _section(pdf, t("coaching.agent_comment"), view.ack_comment)
    data = bytes(pdf.output())  # draws the footer too
    _refuse_uncovered(font, pdf.drawn)
    return data


def _refuse_uncovered(font: CjkFont, drawn: set[str]) -> None:
    missing = font.uncovered("".join(drawn))
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:UNCOVERED_SHOWN])
        raise ValidationFailed("coaching.error.pdf_uncovered_chars", chars=shown, count=len(missing),
                               font=Path(font.path).name)


def _facts(view: SessionView, t: Translator) -> list[tuple[str, str]]:
    facts = [(t("coaching.col.agent"), view.agent_name), (t("coaching.col.coach"), view.author_name),
             (t("coaching.col.held_on"), format_date(view.held_on, t.language)),
             (t("coaching.col.focus_area"), focus_label(t, view.focus_area)),
             (t("coaching.col.follow_up_on"), format_date(view.follow_up_on, t.language)),
             (t("coaching.col.acknowledged"), _ack_text(view, t))]
    if view.effect is not None:
        facts.append((t("coaching.col.effect"), _effect_text(view, t)))
    return facts


def _facts_table(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    """Label and value side by side; the label column is as wide as the longest label (wrapping past 70 mm)."""
    label_width = min(max(pdf.get_string_width(label) for label, _ in facts) + 4, 70)
    value_width = pdf.epw - label_width
    label_style = FontFace(color=90)
    with pdf.table(col_widths=(label_width, value_width), width=pdf.epw, borders_layout="NONE",
                   first_row_as_headings=False, text_align="LEFT", line_height=6, padding=0) as table:
        for label, value in facts:
            row = table.row()
            row.cell(label, style=label_style)
            row.cell(value)


def _section(pdf: FPDF, title: str, body: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(0, 5.5, body, new_x="LMARGIN", new_y="NEXT")


def _action_table(pdf: FPDF, view: SessionView, t: Translator) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, t("coaching.action_items"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    if not view.action_items:
        pdf.multi_cell(0, 6, t("coaching.no_action_items"), new_x="LMARGIN", new_y="NEXT")
        return
    headings = FontFace(emphasis="", fill_color=235)  # one regular face: a bold one would parse a second 20 MB font
    with pdf.table(col_widths=(90, 40, 30, 25), text_align="LEFT", headings_style=headings) as table:
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
    title = localized_field(link, "exam_title", t.language)
    if link.kind == "supervised_review":
        return t("coaching.link_review", ref=link.ref_id)
    percent = "—" if link.percent is None else f"{link.percent:.0f}"
    return t("coaching.link_attempt", title=title or "#" + str(link.ref_id), percent=percent,
             on=format_date(link.submitted_on, t.language))
