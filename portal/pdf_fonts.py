"""Chinese-capable PDFs: the CJK font, found and parsed once per process, shared by every PDF we make.

Chinese needs a CJK font (the README's set-up installs Debian's fonts-noto-cjk). A font is taken
only if its character map holds Chinese, and every character drawn is checked against it: a
character the font cannot draw refuses the PDF with a clear message instead of silently vanishing
from the page. Used by the coaching session PDF and the learning record PDF.
"""
import copy
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from portal.errors import ValidationFailed

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
#: Babel writes times with a narrow no-break space ("6:00\u202fAM"), which Noto CJK has no glyph for.
SPACES_WITHOUT_GLYPHS = str.maketrans({"\u202f": " "})
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


def warm_up() -> None:
    """Find and parse the font now (the server calls this in the background as it starts), so that the first
    PDF a person asks for costs what the second does. No Chinese font: the PDF refuses later, with its message."""
    try:
        _parsed_font(cjk_font())
    except ValidationFailed:
        pass


def add_cached_font(pdf: FPDF, font: CjkFont) -> None:
    """What fpdf2 2.8's `add_font` does, from the kept parse (pyproject pins fpdf2 below 2.9 for this)."""
    parsed = copy.copy(_parsed_font(font))
    parsed.i = len(pdf.fonts) + 1
    parsed.ttfont = TTFont(font.path, recalcTimestamp=False, recalcBBoxes=False, fontNumber=font.index, lazy=True)
    for tag in UNUSED_TABLES.intersection(parsed.ttfont.keys()):
        del parsed.ttfont[tag]  # vertical metrics and layout: never drawn, and costly to subset
    parsed.subset = SubsetMap(parsed)
    parsed.missing_glyphs = []
    parsed.biggest_size_pt = 0
    pdf.fonts[FAMILY] = parsed
    if parsed.is_cff and parsed.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


class CjkPdf(FPDF):
    """A4 with the CJK font, a footer, and a record of every character drawn."""

    def __init__(self, font: CjkFont, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.drawn: set[str] = set()
        add_cached_font(self, font)

    def normalize_text(self, text: str) -> str:
        text = text.translate(SPACES_WITHOUT_GLYPHS)
        self.drawn.update(text)
        return super().normalize_text(text)

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(120)
        self.cell(0, 6, self.footer_text, align="C")


def refuse_uncovered(font: CjkFont, drawn: set[str]) -> None:
    """Refuse (ValidationFailed) when `drawn` holds characters the font has no glyph for."""
    missing = font.uncovered("".join(drawn))
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:UNCOVERED_SHOWN])
        raise ValidationFailed("coaching.error.pdf_uncovered_chars", chars=shown, count=len(missing),
                               font=Path(font.path).name)


def facts_table(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
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


def section(pdf: FPDF, title: str, body: str) -> None:
    """A heading and a paragraph under it."""
    pdf.ln(3)
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(0, 5.5, body, new_x="LMARGIN", new_y="NEXT")
