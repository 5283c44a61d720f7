"""The one translation layer: catalogs per language, one JSON file per area.

Catalogs live in portal/locales/<language>/<area>.json as flat objects
(key -> text with `str.format` placeholders). Every area file must exist in
every language with the same keys; tests/test_i18n.py enforces it.

A text that depends on a number is a *plural entry*: an object of CLDR plural
forms, `{"one": "{count} question", "other": "{count} questions"}`, chosen by
the language's plural rule (Babel) for the parameter `count`, or for the
parameter named under `"by"` (`{"by": "attempts", ...}`). A language whose
rule has a single form (Chinese) may keep a plain string.
"""
import json
import numbers
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}
BABEL_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN"}
PLURAL_BY = "by"
"""In a plural entry: the name of the parameter that picks the form (default `count`)."""

Entry = str | dict[str, str]


@lru_cache
def catalog(language: str) -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


@lru_cache
def babel_locale(language: str | None) -> Locale:
    """The Babel (CLDR) locale of one of our languages."""
    return Locale.parse(BABEL_LOCALES[language if language in LANGUAGES else DEFAULT_LANGUAGE])


def plural_forms(language: str) -> frozenset[str]:
    """The CLDR plural categories a plural entry in `language` must give: "other" and the rule's own."""
    return babel_locale(language).plural_form.tags | {"other"}


def plural_text(entry: Entry, language: str, params: dict) -> str:
    """The form of a plural entry for its count in `language` (a plain string is its only form)."""
    if isinstance(entry, str):
        return entry
    count = params.get(entry.get(PLURAL_BY, "count"))
    form = babel_locale(language).plural_form(count) if isinstance(count, numbers.Real) else "other"
    return entry.get(form) or entry["other"]


def translate(key: str, language: str | None = None, /, **params) -> str:
    """Text for `key` in `language`, falling back to English, then the key.

    A message may wrap another one: params `reason_key` and `reason_params`
    are rendered, in the same language, into the `{reason}` placeholder.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    entry = catalog(language).get(key)
    if not entry:
        language, entry = DEFAULT_LANGUAGE, catalog(DEFAULT_LANGUAGE).get(key)
    text = plural_text(entry, language, params) if entry else key
    if "reason_key" in params:
        params = {**params, "reason": translate(params["reason_key"], language, **params.get("reason_params", {}))}
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def localized(texts: Mapping[str, str | None], language: str | None) -> str:
    """The text for `language` from `{"en": ..., "zh-CN": ...}`; missing or blank: English, then whatever
    there is, then "". People's titles are entered in both languages, but a half-filled one is still shown."""
    for candidate in (language, DEFAULT_LANGUAGE, *texts):
        text = texts.get(candidate)
        if isinstance(text, str) and text.strip():
            return text
    return ""


def localized_field(row, field: str, language: str | None) -> str:
    """`row.<field>_en` / `row.<field>_zh` (a model, a view or a table row) in `language`, as `localized`."""
    return localized({"en": getattr(row, f"{field}_en", None), "zh-CN": getattr(row, f"{field}_zh", None)},
                     language)


def localized_column(frame, field: str, language: str | None) -> list[str]:
    """The `<field>_en` / `<field>_zh` columns of a table, one text per row in `language`, as `localized`."""
    return [localized({"en": en, "zh-CN": zh}, language) for en, zh in zip(frame[f"{field}_en"], frame[f"{field}_zh"])]


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
