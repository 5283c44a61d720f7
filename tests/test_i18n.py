"""Every key exists in every language, and every key the code uses exists."""
import json
import re
import string
from pathlib import Path

import pytest

from portal.i18n import LANGUAGES, LOCALES_DIR, Translator, catalog, negotiate, translate

ROOT = Path(__file__).resolve().parent.parent
KEY_LITERAL = re.compile(r"""["']((?:[a-z0-9_]+\.)+[a-z0-9_]+)["']""")
SOURCE_DIRS = ("portal", "pages", "seed")
NOT_KEYS_PREFIXES = ("login.succeeded", "login.failed", "login.throttled", "login.locked", "login.refused_locked", "user.", "team.",
                     "cohort.", "password.", "st.", "seed.", "portal.", "pages/", "tests.")


def area_files(language: str) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (LOCALES_DIR / language).glob("*.json")}


def test_every_area_catalog_exists_in_every_language_with_the_same_keys():
    english = area_files("en")
    assert english, "no English catalogs found"
    for language in LANGUAGES[1:]:
        other = area_files(language)
        assert set(other) == set(english), f"{language}: catalog files differ"
        for name, entries in english.items():
            missing = set(entries) - set(other[name])
            extra = set(other[name]) - set(entries)
            assert not missing and not extra, f"{language}/{name}: missing {sorted(missing)}, extra {sorted(extra)}"


def test_placeholders_match_between_languages():
    def fields(text):
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for key, text in catalog("en").items():
        assert fields(text) == fields(catalog("zh-CN")[key]), key


def test_no_empty_translations():
    for language in LANGUAGES:
        empty = [k for k, v in catalog(language).items() if not v.strip()]
        assert not empty, f"{language}: empty texts {empty}"


def known_key_prefixes() -> set[str]:
    return {key.split(".")[0] for key in catalog("en")}


def test_every_key_used_in_code_is_in_the_catalog():
    prefixes = known_key_prefixes()
    missing = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for key in KEY_LITERAL.findall(path.read_text(encoding="utf-8")):
                if key.split(".")[0] in prefixes and not key.startswith(NOT_KEYS_PREFIXES) \
                        and key not in catalog("en") and not key.endswith((".py", ".json", ".yaml")):
                    missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, "keys used in code but missing from catalogs:\n" + "\n".join(sorted(missing))


def test_page_titles_and_roles_are_translated():
    from portal.roles import ALL_ROLES
    from portal.ui.navigation import PAGES, SECTION_ORDER

    keys = {p.title_key for p in PAGES} | {s for s in SECTION_ORDER if s} | {f"role.{r.value}" for r in ALL_ROLES}
    for language in LANGUAGES:
        assert keys <= set(catalog(language)), language


def test_translate_formats_and_falls_back():
    assert translate("home.welcome", "zh-CN", name="李娜") == "欢迎，李娜"
    assert translate("home.welcome", "xx", name="Li") == "Welcome, Li"
    assert translate("no.such.key", "en") == "no.such.key"
    assert Translator("zh-CN")("app.sign_out") == "退出登录"


@pytest.mark.parametrize("locale,expected", [("zh-CN", "zh-CN"), ("zh-Hans-CN", "zh-CN"), ("zh_TW", "zh-CN"),
                                             ("en-US", "en"), ("de-DE", "en"), (None, "en"), ("", "en")])
def test_browser_locale_negotiation(locale, expected):
    assert negotiate(locale) == expected
