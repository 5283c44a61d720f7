"""The learning record as a PDF in the reader's language (fonts from `portal.pdf_fonts`).

It holds what the page shows and nothing more: the coaching sessions' shared notes, never
their private notes (the record has no field for them), and nothing from wellbeing.
"""
from collections.abc import Callable
from datetime import date

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from portal.formatting import format_date, format_datetime
from portal.i18n import Translator
from portal.learning_record.entries import LearningRecord
from portal.learning_record.tables import SECTIONS, empty_key, record_frames
from portal.pdf_fonts import FAMILY, CjkPdf, cjk_font, facts_table, refuse_uncovered

TABLE_SECTIONS = tuple(s for s in SECTIONS if s != "person")
#: Relative column widths per section (titles and notes get the room); a section not listed shares it evenly.
COLUMN_WEIGHTS = {"stages": (3, 2, 2, 2, 2, 3), "modules": (3, 2, 2, 2, 1, 1), "exams": (3, 1, 1, 1, 1, 2),
                  "coaching": (2, 2, 2, 5, 2), "certificates": (3, 2, 2, 2)}


def deferred_record_pdf(record: LearningRecord, t: Translator) -> Callable[[], bytes]:
    """The PDF as a callable for a deferred download button, built only when clicked.

    The font and its coverage of the record's texts are checked now, so a missing font or a
    character it cannot draw fails clearly (ValidationFailed) where the page shows the button.
    """
    refuse_uncovered(cjk_font(), set("".join(_cell_texts(record_frames(record, t), t))))
    return lambda: record_pdf(record, t)


def record_pdf(record: LearningRecord, t: Translator) -> bytes:
    font = cjk_font()
    frames = record_frames(record, t)
    pdf = CjkPdf(font, t("record.pdf.footer", name=record.person.display_name,
                         when=format_datetime(record.generated_at, t.language)))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 10, t("record.pdf.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    facts_table(pdf, [tuple(row) for row in frames["person"].itertuples(index=False)])
    for section in TABLE_SECTIONS:
        _table(pdf, t(f"record.section.{section}"), frames[section], t, t(empty_key(record, section)),
               COLUMN_WEIGHTS.get(section))
    data = bytes(pdf.output())
    refuse_uncovered(font, pdf.drawn)
    return data


def _cell(value, t: Translator) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, date):
        return format_date(value, t.language)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _cell_texts(frames: dict[str, pd.DataFrame], t: Translator) -> list[str]:
    return [_cell(v, t) for frame in frames.values() for row in frame.itertuples(index=False) for v in row] + [
        str(c) for frame in frames.values() for c in frame.columns]


def _table(pdf: FPDF, title: str, frame: pd.DataFrame, t: Translator, empty: str,
           weights: tuple[int, ...] | None) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    if frame.empty:
        pdf.multi_cell(0, 5.5, empty, new_x="LMARGIN", new_y="NEXT")
        return
    headings = FontFace(emphasis="", fill_color=235)  # one regular face: a bold one would parse a second font
    widths = weights if weights and len(weights) == len(frame.columns) else None
    with pdf.table(col_widths=widths, text_align="LEFT", headings_style=headings, line_height=5) as table:
        table.row([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            table.row([_cell(v, t) for v in row])
