"""The one translation layer: catalogs per language, one JSON file per area.

Catalogs live in portal/locales/<language>/<area>.json as flat objects
(key -> text with `str.format` placeholders). Every area file must exist in
every language with the same keys; tests/test_i18n.py enforces it.
"""
import json
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}


@lru_cache
def catalog(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(key: str, language: str | None = None, /, **params) -> str:
    """Text for `key` in `language`, falling back to English, then the key.

    A message may wrap another one: params `reason_key` and `reason_params`
    are rendered, in the same language, into the `{reason}` placeholder.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    text = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if "reason_key" in params:
        params = {**params, "reason": translate(params["reason_key"], language, **params.get("reason_params", {}))}
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def negotiate(locale: str | None) -> str:
    """Pick a supported language from a browser locale such as 'zh-Hans-CN'."""
    if not locale:
        return DEFAULT_LANGUAGE
    locale = locale.replace("_", "-").lower()
    if locale.startswith("zh"):
        return "zh-CN"
    return DEFAULT_LANGUAGE


class Translator:
    """A language bound to `translate`, handy for pages: `t = Translator(lang)`."""

    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, /, **params) -> str:
        return translate(key, self.language, **params)

    def error(self, exc) -> str:
        """Render a PortalError (or anything with key/params) in this language."""
        return translate(getattr(exc, "key", "error.generic"), self.language, **getattr(exc, "params", {}))
