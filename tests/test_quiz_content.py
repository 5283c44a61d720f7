"""The demo quiz content: question bank (en + zh-CN), practice quizzes, exams,
rubrics, and the loader's error reporting."""
from __future__ import annotations

import json
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from portal.quizzes.specs import (
    LOCALES_DIR,
    SpecFileError,
    check_against_bank,
    load_quiz_specs,
    pool_matches,
    question_index,
    scan_gift_markers,
)

ROOT = Path(__file__).resolve().parents[1]
QUIZ_ROOT = ROOT / "quizzes"
LANGS = ("en", "zh-CN")
STAGES = {"theory", "product", "systems_skills"}
AREAS = {"product", "etiquette", "systems", "theory"}


@pytest.fixture(scope="module")
def specs():
    return load_quiz_specs(QUIZ_ROOT)


@pytest.fixture(scope="module")
def banks():
    return {lang: question_index(QUIZ_ROOT, lang) for lang in LANGS}


# --------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------


def test_specs_load_without_errors(specs):
    assert specs.errors == [], "\n".join(map(str, specs.errors))
    assert set(specs.practice) == {
        "practice-theory",
        "practice-product",
        "practice-systems_skills",
        "practice-etiquette",
    }
    assert set(specs.exams) == {"written-product-q1", "written-etiquette-q1", "practical-roleplay-q1"}
    assert set(specs.rubrics) == {"roleplay-call"}


def test_exam_settings(specs):
    product = specs.exams["written-product-q1"]
    assert product.kind == "written" and product.questions is None
    assert product.pool is not None and product.pool.count == 20 and "product" in product.pool.tags
    assert (product.time_limit_minutes, product.pass_mark, product.attempts_allowed, product.grading) == (
        30, 80, 2, "highest")

    etiquette = specs.exams["written-etiquette-q1"]
    assert etiquette.kind == "written" and etiquette.pool is None and etiquette.questions
    assert (etiquette.time_limit_minutes, etiquette.pass_mark) == (20, 80)

    practical = specs.exams["practical-roleplay-q1"]
    assert practical.kind == "practical" and practical.rubric == "roleplay-call"
    assert practical.pass_mark == 80 and practical.questions is None and practical.pool is None


def test_every_text_has_both_languages(specs):
    for spec in [*specs.practice.values(), *specs.exams.values()]:
        assert spec.title.get("en") and spec.title.get("zh-CN")
    for exam in specs.exams.values():
        assert exam.description.get("en") and exam.description.get("zh-CN")
    for _, item in specs.rubrics["roleplay-call"].items():
        assert item.text.en and item.text.zh_CN


def test_rubric_structure(specs):
    rubric = specs.rubrics["roleplay-call"]
    assert [s.id for s in rubric.sections] == [
        "opening", "verification", "needs-resolution", "compliance-marketing", "closing"]
    assert all(s.weight > 0 for s in rubric.sections)
    critical = {item.id for _, item in rubric.items() if item.critical}
    assert critical == {"verify-before-details", "no-disclosure", "two-offers-at-most"}
    assert rubric.critical_miss == "fail_exam"


def test_rubric_scoring(specs):
    rubric = specs.rubrics["roleplay-call"]
    full = {item.id: item.max_points for _, item in rubric.items()}
    result = rubric.score(full)
    assert result.percent == pytest.approx(100) and result.passed(80)

    # Half the closing points: closing weighs 10 of 100 -> 95%.
    closing = {item.id: item.max_points / 2 for item in rubric.sections[-1].items}
    assert rubric.score({**full, **closing}).percent == pytest.approx(95)

    # A third offer: high score, but a missed critical item fails the exam.
    missed = rubric.score({**full, "two-offers-at-most": 0})
    assert missed.percent > 80
    assert missed.critical_missed == ["two-offers-at-most"] and not missed.passed(80)

    zero_section = rubric.model_copy(update={"critical_miss": "zero_section"})
    result = zero_section.score({**full, "two-offers-at-most": 0})
    assert result.sections["compliance-marketing"] == 0
    assert result.percent == pytest.approx(80) and result.passed(80)

    with pytest.raises(ValueError):
        rubric.score({"no-such-item": 1})
    with pytest.raises(ValueError):
        rubric.score({"standard-opening": 99})


# --------------------------------------------------------------------------
# Question bank (comment markers; see below for the full GIFT parse)
# --------------------------------------------------------------------------


def test_at_least_60_questions_per_language(banks):
    for lang in LANGS:
        files = sorted((QUIZ_ROOT / lang).glob("*.gift"))
        markers = sum(
            1 for f in files for line in f.read_text(encoding="utf-8").splitlines()
            if line.lstrip().startswith("// [id:")
        )
        assert markers >= 60, lang
        assert len(banks[lang]) == markers, f"{lang}: duplicate or stray id markers"


def test_languages_have_same_ids_and_tags(banks):
    en, zh = banks["en"], banks["zh-CN"]
    assert set(en) == set(zh)
    for qid in en:
        assert en[qid].tags == zh[qid].tags, qid
        assert en[qid].file.name == zh[qid].file.name, qid


def test_every_question_has_area_and_stage(banks):
    for qid, entry in banks["en"].items():
        stages = {t.split(":", 1)[1] for t in entry.tags if t.startswith("stage:")}
        assert len(stages) == 1 and stages <= STAGES, qid
        assert entry.tags & AREAS, qid
    stages = Counter(next(t for t in e.tags if t.startswith("stage:")) for e in banks["en"].values())
    assert set(stages) == {f"stage:{s}" for s in STAGES}


def test_fixed_questions_exist_and_pools_are_big_enough(specs, banks):
    for lang in LANGS:
        errors = check_against_bank(specs, banks[lang], QUIZ_ROOT)
        assert errors == [], "\n".join(map(str, errors))
    # the etiquette paper is all etiquette questions, no essays
    for qid in specs.exams["written-etiquette-q1"].questions:
        assert "etiquette" in banks["en"][qid].tags and "essay" not in banks["en"][qid].tags
    pool = specs.exams["written-product-q1"].pool
    eligible = [e for e in banks["en"].values() if pool_matches(e.tags, pool.tags, pool.match, pool.exclude_tags)]
    assert len(eligible) >= pool.count


def test_bank_check_reports_unknown_questions_and_small_pools(specs):
    tiny_bank = {e.id: e for e in scan_gift_markers(
        "// [id:ETQ-001]\n// [tag:etiquette]\n::t::Q{T}\n\n// [id:PRD-001]\n// [tag:product]\n::t::Q{F}\n")}
    errors = check_against_bank(specs, tiny_bank, QUIZ_ROOT)
    fields = {e.field for e in errors}
    assert any(f.startswith("exams[1].questions[") for f in fields)
    assert "exams[0].pool.count" in fields
    assert all(e.path.name in ("exams.yaml", "practice.yaml") for e in errors)
    small = next(e for e in errors if e.field == "exams[0].pool.count")
    assert small.key == "quizspecs.error.pool_too_small" and small.params == {"count": 20, "available": 1}


def test_scan_gift_markers_follows_blocks():
    text = (
        "// header comment only\n\n"
        "$CATEGORY: a/b\n\n"
        "// [id:X-1]\n// [tag:One]\n// [tag:stage:theory]\n::T::Question {=a ~b}\n\n"
        "// [id:X-2]\n::T2::Other {TRUE}\n\n"
        "::T3::No id {FALSE}\n"
    )
    entries = scan_gift_markers(text)
    assert [e.id for e in entries] == ["X-1", "X-2"]
    assert entries[0].tags == frozenset({"one", "stage:theory"})


# --------------------------------------------------------------------------
# Full parse with the GIFT reader
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parsed():
    from portal.quizzes import gift
    out = {}
    for lang in LANGS:
        questions = []
        for path in sorted((QUIZ_ROOT / lang).glob("*.gift")):
            questions.extend(gift.parse_gift(path.read_text(encoding="utf-8")))
        out[lang] = questions
    return out


def test_gift_files_parse(parsed, banks):
    for lang in LANGS:
        questions = parsed[lang]
        assert len(questions) >= 60
        ids = [q.idnumber for q in questions]
        assert all(ids) and len(set(ids)) == len(ids), lang
        assert set(ids) == set(banks[lang])
        for q in questions:
            assert {t.lower() for t in q.tags} == banks[lang][q.idnumber].tags, q.idnumber
            assert q.category, q.idnumber


def test_gift_translations_match_structure(parsed):
    en = {q.idnumber: q for q in parsed["en"]}
    zh = {q.idnumber: q for q in parsed["zh-CN"]}
    for qid, q in en.items():
        z = zh[qid]
        assert (q.qtype, q.single, q.category) == (z.qtype, z.single, z.category), qid
        if q.qtype != "shortanswer":  # alternative accepted wordings differ by language
            assert [a.fraction for a in q.answers] == [a.fraction for a in z.answers], qid
        if q.qtype == "numerical":
            assert [(a.text, a.tolerance) for a in q.answers] == [(a.text, a.tolerance) for a in z.answers], qid
        assert len(q.subquestions) == len(z.subquestions), qid
        assert bool(q.generalfeedback) and bool(z.generalfeedback), qid


def test_gift_type_mix(parsed):
    for lang in LANGS:
        questions = parsed[lang]
        kinds = Counter(
            "single" if q.qtype == "multichoice" and q.single
            else "multi" if q.qtype == "multichoice" else q.qtype
            for q in questions
        )
        assert kinds["single"] == max(kinds.values()), kinds
        for needed in ("multi", "truefalse", "shortanswer", "numerical", "match", "essay"):
            assert kinds[needed] >= 1, (lang, needed)
        assert kinds["essay"] >= 2
        multi = [q for q in questions if q.qtype == "multichoice" and not q.single]
        assert any(a.fraction < 0 for q in multi for a in q.answers)
        for q in multi:
            assert sum(a.fraction for a in q.answers if a.fraction > 0) == pytest.approx(1, abs=1e-4), q.idnumber
        for q in questions:
            if q.qtype == "multichoice" and q.single:
                assert sum(1 for a in q.answers if a.fraction == 1) == 1, q.idnumber
                assert all(a.feedback for a in q.answers), q.idnumber


def test_numerical_answers(parsed):
    en = {q.idnumber: q for q in parsed["en"]}
    right = {q: next(a for a in en[q].answers if a.fraction == 1) for q in ("PRD-016", "PRD-017", "ETQ-005", "THY-001")}
    assert float(right["PRD-016"].text) == 125  # 5 data days x 25 yuan
    assert float(right["PRD-017"].text) == pytest.approx(4 * 35 + 20 * 1.99)
    speech = right["ETQ-005"]  # accepts 180..250 characters a minute
    assert float(speech.text) - speech.tolerance == 180 and float(speech.text) + speech.tolerance == 250
    assert float(right["THY-001"].text) == 20  # 80/20 service level


# --------------------------------------------------------------------------
# Bad spec files: errors name file and field; good entries still load
# --------------------------------------------------------------------------

GOOD_TEXT = "{en: Good, zh-CN: 好}"

BAD_EXAMS = f"""
exams:
  - id: good-written
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    questions: [ETQ-001, ETQ-002]
  - id: too-high
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 120
    questions: [ETQ-001]
  - id: both
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    questions: [ETQ-001]
    pool: {{tags: [etiquette], count: 5}}
  - id: no-chinese
    kind: written
    title: {{en: English only}}
    description: {GOOD_TEXT}
    pass_mark: 80
    pool: {{tags: [product], count: 5}}
  - id: ghost-rubric
    kind: practical
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    rubric: no-such-rubric
  - id: good-written
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 70
    questions: [ETQ-003]
  - id: bad-grading
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    grading: best
    time_limit_minutes: "thirty"
    questions: [ETQ-001]
  - id: good-practical
    kind: practical
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    rubric: call
"""

BAD_PRACTICE = f"""
practice:
  - id: ok
    title: {GOOD_TEXT}
    tags: [etiquette]
    count: 5
  - id: zero
    title: {GOOD_TEXT}
    tags: [etiquette]
    count: 0
  - id: typo
    title: {GOOD_TEXT}
    tags: [etiquette]
    count: 5
    colour: blue
"""

GOOD_RUBRIC = f"""
title: {GOOD_TEXT}
critical_miss: zero_section
sections:
  - id: s1
    title: {GOOD_TEXT}
    weight: 1
    items:
      - {{id: i1, text: {GOOD_TEXT}, max_points: 2, critical: true}}
"""

BAD_RUBRIC = f"""
title: {GOOD_TEXT}
critical_miss: shrug
sections:
  - id: s1
    title: {GOOD_TEXT}
    weight: -1
    items:
      - {{id: i1, text: {{en: only}}, max_points: 0}}
"""


def _write(root: Path, exams: str = BAD_EXAMS, practice: str = BAD_PRACTICE) -> Path:
    (root / "rubrics").mkdir(parents=True, exist_ok=True)
    (root / "exams.yaml").write_text(exams, encoding="utf-8")
    (root / "practice.yaml").write_text(practice, encoding="utf-8")
    (root / "rubrics" / "call.yaml").write_text(GOOD_RUBRIC, encoding="utf-8")
    (root / "rubrics" / "broken.yaml").write_text(BAD_RUBRIC, encoding="utf-8")
    return root


def _by_field(errors: list[SpecFileError]) -> dict[tuple[str, str], SpecFileError]:
    return {(e.path.name, e.field): e for e in errors}


def test_bad_files_report_file_and_field_and_keep_good_entries(tmp_path):
    specs = load_quiz_specs(_write(tmp_path))
    assert set(specs.exams) == {"good-written", "good-practical"}
    assert specs.exams["good-written"].pass_mark == 80  # the first of the duplicated ids
    assert set(specs.practice) == {"ok"}
    assert set(specs.rubrics) == {"call"}

    errors = _by_field(specs.errors)
    expected = {
        ("exams.yaml", "exams[1].pass_mark"): "quizspecs.error.max_value",
        ("exams.yaml", "exams[2].questions"): "quizspecs.error.questions_and_pool",
        ("exams.yaml", "exams[3].title.zh-CN"): "quizspecs.error.missing_language",
        ("exams.yaml", "exams[4].rubric"): "quizspecs.error.unknown_rubric",
        ("exams.yaml", "exams[5].id"): "quizspecs.error.duplicate_id",
        ("exams.yaml", "exams[6].grading"): "quizspecs.error.invalid_choice",
        ("exams.yaml", "exams[6].time_limit_minutes"): "quizspecs.error.expected_integer",
        ("practice.yaml", "practice[1].count"): "quizspecs.error.min_value",
        ("practice.yaml", "practice[2].colour"): "quizspecs.error.unknown_field",
        ("broken.yaml", "critical_miss"): "quizspecs.error.invalid_choice",
        ("broken.yaml", "sections[0].weight"): "quizspecs.error.must_exceed",
        ("broken.yaml", "sections[0].items[0].max_points"): "quizspecs.error.must_exceed",
        ("broken.yaml", "sections[0].items[0].text.zh-CN"): "quizspecs.error.missing_language",
    }
    for where, key in expected.items():
        assert where in errors, f"no error for {where}; got {sorted(errors)}"
        assert errors[where].key == key, where
    assert len(specs.errors) == len(expected)
    for e in specs.errors:
        assert str(e.path) in str(e) and e.field in str(e)
        assert e.message == e.text("en") and e.text("zh-CN") != e.key

    too_high = errors[("exams.yaml", "exams[1].pass_mark")]
    assert too_high.params == {"value": "120", "limit": 100}
    assert "100" in too_high.text("zh-CN")


def test_pool_and_questions_are_exclusive_and_one_is_needed(tmp_path):
    exams = f"""
exams:
  - id: neither
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
  - id: practical-with-questions
    kind: practical
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    rubric: call
    questions: [ETQ-001]
  - id: written-with-rubric
    kind: written
    title: {GOOD_TEXT}
    description: {GOOD_TEXT}
    pass_mark: 80
    questions: [ETQ-001, ETQ-001]
    rubric: call
"""
    specs = load_quiz_specs(_write(tmp_path, exams=exams))
    keys = {(e.field, e.key) for e in specs.errors if e.path.name == "exams.yaml"}
    assert keys == {
        ("exams[0].questions", "quizspecs.error.written_needs_questions"),
        ("exams[1].questions", "quizspecs.error.questions_on_practical"),
        ("exams[2].rubric", "quizspecs.error.rubric_on_written"),
        ("exams[2].questions[1]", "quizspecs.error.duplicate_question"),
    }
    assert specs.exams == {}


def test_yaml_syntax_error_and_missing_files(tmp_path):
    root = _write(tmp_path, exams="exams:\n  - id: [unclosed\n")
    specs = load_quiz_specs(root)
    syntax = [e for e in specs.errors if e.path.name == "exams.yaml"]
    assert len(syntax) == 1 and syntax[0].key == "quizspecs.error.yaml_syntax" and syntax[0].field == ""
    assert syntax[0].params["line"] >= 1
    assert set(specs.practice) == {"ok"}  # the other files still load

    empty = load_quiz_specs(tmp_path / "nowhere")
    assert {(e.path.name, e.key) for e in empty.errors} == {
        ("practice.yaml", "quizspecs.error.file_missing"),
        ("exams.yaml", "quizspecs.error.file_missing"),
    }


def test_wrong_top_level_shape(tmp_path):
    specs = load_quiz_specs(_write(tmp_path, exams="- just a list\n", practice="practice: {id: x}\nextra: 1\n"))
    found = {(e.path.name, e.field, e.key) for e in specs.errors if e.path.suffix == ".yaml"
             and e.path.name in ("exams.yaml", "practice.yaml")}
    assert ("exams.yaml", "", "quizspecs.error.expected_mapping") in found
    assert ("practice.yaml", "practice", "quizspecs.error.expected_list") in found
    assert ("practice.yaml", "extra", "quizspecs.error.unknown_field") in found


# --------------------------------------------------------------------------
# Locale catalogs
# --------------------------------------------------------------------------


def _catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / lang / "quizspecs.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_locale_catalogs_have_identical_keys_and_placeholders():
    en, zh = _catalog("en"), _catalog("zh-CN")
    assert set(en) == set(zh)
    for key in en:
        assert all(isinstance(v, str) and v for v in (en[key], zh[key])), key
        assert _placeholders(en[key]) == _placeholders(zh[key]), key


def test_every_key_used_in_code_is_in_the_catalog():
    source = (ROOT / "portal" / "quizzes" / "specs.py").read_text(encoding="utf-8")
    used = set(re.findall(r"quizspecs\.error\.[a-z_]+", source)) - {"quizspecs.error."}
    assert used <= set(_catalog("en")), used - set(_catalog("en"))
