"""Images carried by questions: checked, cleaned and named before the portal keeps them.

A question file may embed pictures (a product leaflet, a CRM screen). Only real raster
images are kept: PNG, JPEG, GIF and WebP as Pillow reads them, each at most
MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS. SVG (which can carry scripts) and anything else
are refused. Metadata (EXIF with GPS, ICC profiles, comments, text chunks) and bytes
hidden after the picture are removed by re-encoding the pixels.

An image that is already clean (no metadata, nothing after its end) is kept byte for byte:
re-encoding a JPEG or WebP twice would change it a little each time, so exporting and
importing the same question again would look like a new version.
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from portal.errors import ValidationFailed

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
MAX_NAME_LENGTH = 100
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg", ".jpe"), "GIF": (".gif",), "WEBP": (".webp",)}
# what Pillow puts in `info` that is only format bookkeeping, not metadata about the picture or its author
_HARMLESS_INFO = {"dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression",
                  "adobe", "adobe_transform", "gamma", "transparency", "background", "duration", "loop",
                  "version", "extension", "interlace", "aspect", "srgb", "chromaticity", "mode", "compression",
                  "lossless", "timestamp"}
_SAFE_NAME_RE = re.compile(r"[^/\\\x00-\x1f\x7f<>:\"|?*]+")


class ImageRefused(ValidationFailed):
    """An embedded file that is not an image the portal keeps (key and params say why)."""


@dataclass(frozen=True)
class CleanImage:
    name: str
    mime_type: str
    data: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_name(name: str) -> str:
    """A file name usable in `@@PLUGINFILE@@/name`: no folders, no control characters."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or not _SAFE_NAME_RE.fullmatch(name) or name in (".", ".."):
        raise ImageRefused("moodlexml.error.image_bad_name", name=name[:40])
    return name


def clean_image(name: str, data: bytes) -> CleanImage:
    """The image as the portal keeps it, or ImageRefused saying why not."""
    name = check_name(name)
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("moodlexml.error.image_too_large", name=name, size=len(data) // 1024,
                           limit=MAX_IMAGE_BYTES // 1024)
    picture = _open(name, data)
    fmt = picture.format
    if fmt not in MIME_TYPES:
        raise ImageRefused("moodlexml.error.image_not_image", name=name)
    if not name.lower().endswith(EXTENSIONS[fmt]):
        raise ImageRefused("moodlexml.error.image_wrong_extension", name=name, format=fmt)
    width, height = picture.size
    cleaned = data if _is_clean(picture, data) else _reencode(picture, fmt)
    if len(cleaned) > MAX_IMAGE_BYTES:
        raise ImageRefused("moodlexml.error.image_too_large", name=name, size=len(cleaned) // 1024,
                           limit=MAX_IMAGE_BYTES // 1024)
    return CleanImage(name, MIME_TYPES[fmt], cleaned, width, height)


def _open(name: str, data: bytes) -> Image.Image:
    """Open and fully decode the picture (a truncated or hostile file fails here, not when shown)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in MIME_TYPES:
                raise ImageRefused("moodlexml.error.image_not_image", name=name)
            if probe.size[0] * probe.size[1] > MAX_IMAGE_PIXELS:
                raise ImageRefused("moodlexml.error.image_too_many_pixels", name=name,
                                   width=probe.size[0], height=probe.size[1])
            probe.verify()
            picture = Image.open(io.BytesIO(data))
            picture.load()
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ImageRefused("moodlexml.error.image_not_image", name=name) from None
    return picture


def _is_clean(picture: Image.Image, data: bytes) -> bool:
    """No metadata Pillow knows of, one frame, and nothing after the end of the picture."""
    if set(picture.info) - _HARMLESS_INFO or getattr(picture, "n_frames", 1) != 1:
        return False
    if picture.format == "JPEG" and any(marker in data for marker in (b"\xff\xe1", b"\xff\xe2", b"\xff\xfe")):
        return False  # APP1 (EXIF, XMP), APP2 (ICC) or COM segments Pillow may not list
    return _ends_where_it_should(picture.format, data)


def _ends_where_it_should(fmt: str, data: bytes) -> bool:
    if fmt == "PNG":
        return data.endswith(b"IEND\xaeB`\x82")
    if fmt == "JPEG":
        return data.endswith(b"\xff\xd9")
    if fmt == "GIF":
        return data.endswith(b";")
    if fmt == "WEBP":
        return len(data) == int.from_bytes(data[4:8], "little") + 8
    return False


def _reencode(picture: Image.Image, fmt: str) -> bytes:
    """The pixels alone, written again (no EXIF, ICC, comments or text chunks are passed on)."""
    out = io.BytesIO()
    if fmt == "JPEG":
        picture = picture.convert("RGB") if picture.mode not in ("RGB", "L") else picture
        picture.save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "WEBP":
        picture.save(out, "WEBP", quality=90)
    elif fmt == "GIF":
        picture.seek(0)
        picture.save(out, "GIF", save_all=getattr(picture, "n_frames", 1) > 1)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue()
