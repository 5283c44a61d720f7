"""Reading an uploaded text file: its size, whether it holds anything, and its encoding.

One helper for every import (users CSV, GIFT, Aiken; page and CLI alike), so
a file saved by Chinese Excel or Notepad in GBK/GB18030 reads the same
everywhere, and a refused file always says why in the reader's language.

UTF-8 (with or without a byte-order mark) is tried first and strictly. Other
files go to charset-normalizer; when it finds several readings equally
plausible (short Chinese files fit Big5, GBK and Shift-JIS alike), GB18030,
the superset of GBK and GB2312 that Simplified Chinese Windows saves in, wins,
then Windows-1252 (Western Excel), then charset-normalizer's own choice.
"""
from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes

from portal.errors import ValidationFailed

MEGABYTE = 1024 * 1024
MAX_QUESTION_FILE_BYTES = 2 * MEGABYTE  # GIFT and Aiken (README: "Importing questions")
MAX_USERS_CSV_BYTES = 2 * MEGABYTE  # about 20,000 rows; the import takes at most 5,000
PREFERRED_ENCODINGS = ("gb18030", "cp1252")  # what this center's Windows and Excel save
# Readings this close in chaos to the best one count as a tie, which a preferred encoding wins.
TIE_MARGIN = 0.05
ENCODING_NAMES = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8", "gb18030": "GB18030", "utf_16": "UTF-16",
                  "utf_32": "UTF-32", "big5": "Big5", "cp1252": "Windows-1252", "latin_1": "ISO-8859-1"}


class FileRefused(ValidationFailed):
    """An uploaded file that is empty, too large, or not text in any encoding we can tell."""


@dataclass(frozen=True)
class DecodedFile:
    text: str
    encoding: str  # as people name it: "UTF-8", "GB18030", ...


def decode_upload(data: bytes, *, max_bytes: int) -> DecodedFile:
    """The text of an uploaded file, or FileRefused saying why not."""
    if len(data) > max_bytes:
        raise FileRefused("file.error.too_large", size=megabytes(len(data)), limit=megabytes(max_bytes))
    decoded = _decode(data)
    if not decoded.text.strip():
        raise FileRefused("file.error.empty")
    return decoded


def megabytes(size: int) -> str:
    """A size as people read it: '2 MB', '10.4 MB', '0.1 MB'."""
    return f"{max(size / MEGABYTE, 0.1 if size else 0):.1f}".removesuffix(".0") + " MB"


def _decode(data: bytes) -> DecodedFile:
    try:
        return DecodedFile(data.decode("utf-8-sig"), ENCODING_NAMES["utf_8"])
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise FileRefused("file.error.unknown_encoding")
    tied = {name for m in matches if m.chaos <= best.chaos + TIE_MARGIN for name in m.could_be_from_charset}
    for name in PREFERRED_ENCODINGS:
        if name in tied:
            return DecodedFile(data.decode(name, errors="replace"), encoding_name(name))
    return DecodedFile(str(best), encoding_name(best.encoding))


def encoding_name(codec: str) -> str:
    return ENCODING_NAMES.get(codec, codec.upper().replace("_", "-"))
