"""CSV and XLSX files from a DataFrame, with translated column headers.

Pages pass the frame they show (same filters), so a download matches the
screen. Any area can use these.
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


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet-safe values: lists joined, timezone-aware times made naive UTC."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif series.dtype == object:
            out[column] = [", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for v in series]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    return _plain(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _plain(frame).to_excel(writer, index=False, sheet_name=_sheet_name(sheet))
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in name).strip() or "data"
    return cleaned[:31]
