"""Every key exists in every language, and every key the code uses exists."""
import json
import re
import string
from pathlib import Path

import pytest

from portal.i18n import (LANGUAGES, LOCALES_DIR, PLURAL_BY, Translator, catalog, negotiate, plural_forms,
                         translate)

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


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def forms(entry) -> dict[str, str]:
    """A catalog entry's texts by plural form; a plain string is the only ("other") form."""
    return {"other": entry} if isinstance(entry, str) else {k: v for k, v in entry.items() if k != PLURAL_BY}


def test_placeholders_match_between_languages():
    """The full ("other") forms take the same placeholders; a smaller form ("one") may leave some out."""
    for key, entry in catalog("en").items():
        assert fields(forms(entry)["other"]) == fields(forms(catalog("zh-CN")[key])["other"]), key
        for language in LANGUAGES:
            texts = forms(catalog(language)[key])
            assert all(fields(text) <= fields(texts["other"]) for text in texts.values()), (language, key)


def test_plural_entries_give_every_form_of_the_language_and_count_a_parameter_they_show():
    plural_keys = {key for key, entry in catalog("en").items() if isinstance(entry, dict)}
    assert {"quizbank.practice.best", "quizbank.home.due", "coaching.please_acknowledge"} <= plural_keys
    for language in LANGUAGES:
        for key, entry in catalog(language).items():
            if isinstance(entry, dict):
                assert set(forms(entry)) == plural_forms(language), (language, key)
                assert entry.get(PLURAL_BY, "count") in fields(entry["other"]), (language, key)
            else:
                assert plural_forms(language) == {"other"} or key not in plural_keys, (language, key)


def test_no_hand_made_plurals_left():
    """"(s)" or a number glued to a plural noun in a plain English string is a plural entry waiting to happen."""
    hand_made = re.compile(r"\w\(s\)|\{(count|n|attempts|days|minutes)\} (\w+ )?(questions|tries|sessions|items|rows|"
                           r"users|problems|calls|minutes|days|months|attempts)\b")
    plain = [key for key, entry in catalog("en").items() if isinstance(entry, str) and hand_made.search(entry)]
    assert not plain, plain


@pytest.mark.parametrize("language,count,expected", [
    ("en", 1, "Best 92% in 1 try"), ("en", 3, "Best 92% in 3 tries"), ("en", 0, "Best 92% in 0 tries"),
    ("zh-CN", 1, "最好成绩 92%（共练习 1 次）"), ("zh-CN", 3, "最好成绩 92%（共练习 3 次）")])
def test_plural_forms_follow_the_languages_rule(language, count, expected):
    assert translate("quizbank.practice.best", language, percent="92", attempts=count) == expected


def test_plural_by_count_and_numpy_counts():
    import numpy as np

    assert translate("quizbank.home.due", "en", count=1) == "1 question due for review"
    assert translate("quizbank.home.due", "en", count=np.int64(2)) == "2 questions due for review"
    assert translate("coaching.please_acknowledge", "en", count=1) == "1 session waits for your acknowledgement."


def test_no_empty_translations():
    for language in LANGUAGES:
        empty = [k for k, v in catalog(language).items() if not all(text.strip() for text in forms(v).values())]
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


# --------------------------------------------------------------------------- people's texts in two languages


def test_a_title_in_the_viewers_language_falls_back_to_english_then_to_whatever_exists():
    from types import SimpleNamespace

    import pandas as pd

    from portal.i18n import localized, localized_column, localized_field

    both = {"en": "Product", "zh-CN": "产品"}
    assert localized(both, "zh-CN") == "产品" and localized(both, "en") == "Product"
    assert localized({"en": "Product", "zh-CN": ""}, "zh-CN") == "Product"  # Chinese missing: English
    assert localized({"en": "Product", "zh-CN": None}, "zh-CN") == "Product"
    assert localized({"en": "  ", "zh-CN": "产品"}, "en") == "产品"  # English missing: whatever exists
    assert localized({"en": None, "zh-CN": None}, "en") == ""
    assert localized(both, "fr") == "Product"
    exam = SimpleNamespace(title_en="Product", title_zh="")
    assert localized_field(exam, "title", "zh-CN") == "Product"
    frame = pd.DataFrame({"title_en": ["Product", None], "title_zh": [None, "合规"]})
    assert localized_column(frame, "title", "zh-CN") == ["Product", "合规"]
    assert localized_column(frame, "title", "en") == ["Product", "合规"]


def test_no_title_picked_by_hand_from_the_language():
    """One helper (`portal.i18n.localized`) picks a person's text by language, with its fallback."""
    picked_by_hand = re.compile(r"_zh\b[^\n]*(language|lang)\s*==\s*[\"']zh-CN|(language|lang)\s*==\s*[\"']zh-CN[\"']"
                                r"[^\n]*_zh\b|zh_c[nN] if lang")
    root = Path(__file__).resolve().parents[1]
    others = {"pages/authoring_marking.py"}  # being reworked on another branch
    offenders = [f"{path.relative_to(root)}:{number}" for folder in ("portal", "pages")
                 for path in (root / folder).rglob("*.py") if str(path.relative_to(root)) not in others
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if picked_by_hand.search(line)]
    assert not offenders, offenders
