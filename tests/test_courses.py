"""The onboarding programme: the real course files, and the loader's handling of broken ones."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import yaml

from portal import courses
from portal.courses import (
    ERROR_KEYS,
    LOCALES_DIR,
    STAGE_KEYS,
    CourseFileError,
    LocalizedText,
    Programme,
    load_programme,
    module_body,
)

COURSES_ROOT = Path(__file__).resolve().parent.parent / "courses"

EXPECTED_MODULES = {
    "theory": ["theory-house-rules", "theory-performance-incentives", "theory-service-standards"],
    "product": [
        "product-mobile-basics",
        "product-fixed-line-basics",
        "product-bundles",
        "product-data-plans",
        "product-roaming",
    ],
    "systems_skills": [
        "systems-crm",
        "systems-billing",
        "systems-ticketing",
        "skills-communication",
        "skills-phone-etiquette",
    ],
    "shadowing": ["shadowing-how-to-shadow", "shadowing-call-log"],
    "supervised_calls": ["supervised-ticket-writing", "supervised-review-checklist"],
}


def english_words(text: str) -> int:
    return sum(1 for token in text.split() if re.search("[A-Za-z]", token))


def cjk_characters(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_programme(COURSES_ROOT)


# --------------------------------------------------------------------------- the real programme


def test_real_programme_loads_without_errors(programme: Programme) -> None:
    assert [str(e) for e in programme.errors] == []
    assert programme.ok


def test_stages_are_the_five_fixed_keys_in_order(programme: Programme) -> None:
    assert [s.key for s in programme.stages] == list(STAGE_KEYS)
    assert [s.order for s in programme.stages] == [1, 2, 3, 4, 5]


def test_each_stage_has_the_domain_modules_in_order(programme: Programme) -> None:
    for key, module_ids in EXPECTED_MODULES.items():
        stage = programme.stage(key)
        assert stage is not None, key
        assert [m.id for m in stage.modules] == module_ids
        assert all(m.stage_key == key for m in stage.modules)


def test_stage_settings_match_the_programme(programme: Programme) -> None:
    days = {s.key: s.duration_days for s in programme.stages}
    assert days == {"theory": 3, "product": 4, "systems_skills": 3, "shadowing": 5, "supervised_calls": 5}
    for key in ("theory", "product", "systems_skills"):
        stage = programme.stage(key)
        assert stage.signoff_by == ["trainer"]
        assert stage.requirements.all_required_modules
        assert stage.requirements.min_quiz_score == 80
    assert programme.stage("shadowing").signoff_by == ["mentor"]
    assert programme.stage("shadowing").requirements.min_shadowing_calls == 30
    supervised = programme.stage("supervised_calls")
    assert supervised.signoff_by == ["mentor"]
    assert (supervised.requirements.min_reviewed_calls, supervised.requirements.last_n_passed) == (20, 10)


def test_every_module_has_substantial_text_in_both_languages(programme: Programme) -> None:
    for module in programme.modules:
        en, zh = module.body["en"], module.body["zh-CN"]
        assert 250 <= english_words(en) <= 600, (module.id, english_words(en))
        assert cjk_characters(zh) >= 400, (module.id, cjk_characters(zh))
        assert cjk_characters(en) < 40, f"{module.id}: English section is mostly Chinese"
        assert "Check yourself" in en and "自我检查" in zh, module.id
        assert "lorem" not in (en + zh).lower()


def test_titles_and_metadata_are_complete(programme: Programme) -> None:
    for stage in programme.stages:
        assert stage.title.en and stage.title.zh_cn and stage.description.zh_cn
    for module in programme.modules:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", module.id)
        assert module.title.en and module.title.zh_cn
        assert module.minutes > 0 and module.required
        assert re.fullmatch(r"[0-9a-f]{12}", module.version)


def test_quiz_links_use_practice_ids(programme: Programme) -> None:
    for stage in programme.stages[:3]:
        for module in stage.modules:
            expected = "practice-etiquette" if module.id == "skills-phone-etiquette" else f"practice-{stage.key}"
            assert module.quiz == expected, module.id
    for stage in programme.stages[3:]:
        assert all(m.quiz is None for m in stage.modules)


def both(programme: Programme, module_id: str) -> tuple[str, str]:
    module = programme.module(module_id)
    assert module is not None, module_id
    return module.body["en"], module.body["zh-CN"]


def test_etiquette_teaches_opening_speech_rate_and_two_offers(programme: Programme) -> None:
    en, zh = both(programme, "skills-phone-etiquette")
    for number in ("180", "250", "280", "350"):
        assert number in en and number in zh
    assert "agent 3017 speaking" in en and "3017号为您服务" in zh
    assert "smile" in en.lower() and "微笑" in zh
    assert "at most twice" in en.lower() and "最多两次" in zh
    assert "hang up first" in en and "先挂机" in zh


def test_service_standards_cover_verification_loss_and_repeat_callers(programme: Programme) -> None:
    en, zh = both(programme, "theory-service-standards")
    assert "Verify identity" in en and "核实身份" in zh
    assert "report the loss" in en and "先挂失" in zh
    assert "Never make a customer tell the whole story again" in en and "重复来电" in zh
    assert "I don't know" in en and "我不知道" in zh
    assert "feelings first" in en and "先处理情绪" in zh


def test_house_rules_cover_data_protection(programme: Programme) -> None:
    en, zh = both(programme, "theory-house-rules")
    assert "without a work reason" in en and "没有工作需要" in zh
    assert "Never disclose customer or company data" in en and "绝不泄露客户或公司信息" in zh
    assert "EAP" in en and "EAP" in zh


def test_incentive_module_names_the_service_metrics(programme: Programme) -> None:
    en, zh = both(programme, "theory-performance-incentives")
    for term in ("80/20", "AHT", "FCR", "QA score", "CSAT", "Complaint rate", "Erlang"):
        assert term in en, term
    for term in ("80/20", "平均处理时长", "一次解决率", "质检", "满意度", "投诉率"):
        assert term in zh, term


def test_communication_module_never_stops_at_i_dont_know(programme: Programme) -> None:
    en, zh = both(programme, "skills-communication")
    assert "Listen to the problem, not the tone" in en and "听问题，而不是听语气" in zh
    assert "call back" in en and "回电" in zh


def test_product_modules_carry_concrete_offers(programme: Programme) -> None:
    en, zh = both(programme, "product-roaming")
    assert "Beijing time" in en and "北京时间" in zh and "日包" in zh
    en, zh = both(programme, "product-bundles")
    assert "broadband" in en and "副卡" in zh
    en, zh = both(programme, "product-mobile-basics")
    assert "Report the loss first" in en and "挂失" in zh


def test_supervised_modules_define_checklist_and_critical_misses(programme: Programme) -> None:
    en, zh = both(programme, "supervised-review-checklist")
    for area in ("Greeting", "Verification", "Accuracy", "Resolution", "Closing"):
        assert area in en
    for area in ("开场问候", "身份核实", "信息准确", "问题解决", "结束通话"):
        assert area in zh
    assert "critical miss" in en.lower() and "致命差错" in zh


def test_lookup_helpers(programme: Programme) -> None:
    assert programme.stage("nope") is None and programme.module("nope") is None
    roaming = programme.module("product-roaming")
    assert roaming.stage_key == "product"
    assert [m.id for m in programme.modules][:3] == EXPECTED_MODULES["theory"]
    assert programme.stage("theory").total_minutes == sum(m.minutes for m in programme.stage("theory").modules)
    assert module_body(roaming, "zh-CN").startswith("# 国际漫游")
    assert module_body(roaming, "fr") == roaming.body["en"]
    assert roaming.title.get("zh-CN") == roaming.title.zh_cn
    assert roaming.title.get("fr") == roaming.title.en


# --------------------------------------------------------------------------- broken files

STAGE = {
    "key": "theory",
    "order": 1,
    "title": {"en": "Theory", "zh-CN": "理论"},
    "description": {"en": "Classroom days.", "zh-CN": "课堂培训。"},
    "duration_days": 3,
    "requirements": {"all_required_modules": True, "min_quiz_score": 80},
    "signoff_by": ["trainer"],
}


def front(module_id: str, **overrides: object) -> dict:
    meta = {
        "id": module_id,
        "title": {"en": f"Title {module_id}", "zh-CN": "标题"},
        "minutes": 5,
        "required": True,
        "quiz": "practice-theory",
        "order": 1,
    }
    meta.update(overrides)
    return meta


BODY = "\n<!-- lang: en -->\n\n# Hello\n\nSome text.\n\n<!-- lang: zh-CN -->\n\n# 你好\n\n一些文字。\n"


def module_file(meta: dict, body: str = BODY) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body


def make_stage(root: Path, files: dict[str, str], stage: dict | None = None, dirname: str = "1-theory") -> Path:
    stage_dir = root / dirname
    stage_dir.mkdir(parents=True)
    (stage_dir / "stage.yaml").write_text(yaml.safe_dump(stage or STAGE, allow_unicode=True), encoding="utf-8")
    for name, text in files.items():
        (stage_dir / name).write_text(text, encoding="utf-8")
    return stage_dir


def file_errors(programme: Programme, path: Path) -> list[CourseFileError]:
    """Errors for one file, ignoring 'stage missing' noise from a partial tmp programme."""
    return [e for e in programme.errors if e.path == path]


def only_error(programme: Programme, path: Path) -> CourseFileError:
    errors = file_errors(programme, path)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


@pytest.fixture
def good_module() -> str:
    return module_file(front("theory-good", order=1))


def test_bad_yaml_is_reported_and_good_module_still_loads(tmp_path: Path, good_module: str) -> None:
    bad = "---\nid: theory-bad\ntitle: {en: Broken, zh-CN: [oops\nminutes: 5\n---\n" + BODY
    stage_dir = make_stage(tmp_path, {"a-good.md": good_module, "b-bad.md": bad})
    programme = load_programme(tmp_path)
    error = only_error(programme, stage_dir / "b-bad.md")
    assert (error.field, error.key) == ("front_matter", "courses.error.bad_yaml")
    assert error.params["line"] >= 2
    assert [m.id for m in programme.stage("theory").modules] == ["theory-good"]


def test_missing_chinese_title_names_the_field(tmp_path: Path, good_module: str) -> None:
    bad = module_file(front("theory-bad", order=2, title={"en": "Only English"}))
    stage_dir = make_stage(tmp_path, {"good.md": good_module, "bad.md": bad})
    programme = load_programme(tmp_path)
    error = only_error(programme, stage_dir / "bad.md")
    assert (error.field, error.key) == ("title.zh-CN", "courses.error.missing_field")
    assert error.params == {"field": "title.zh-CN"}
    assert "title.zh-CN" in error.message and "bad.md" in str(error)
    assert programme.module("theory-good") is not None and programme.module("theory-bad") is None


def test_blank_title_counts_as_empty(tmp_path: Path) -> None:
    stage_dir = make_stage(tmp_path, {"bad.md": module_file(front("theory-bad", title={"en": "  ", "zh-CN": "标题"}))})
    error = only_error(load_programme(tmp_path), stage_dir / "bad.md")
    assert (error.field, error.key) == ("title.en", "courses.error.empty_text")


@pytest.mark.parametrize("minutes", [0, -5])
def test_minutes_must_be_positive(tmp_path: Path, good_module: str, minutes: int) -> None:
    stage_dir = make_stage(tmp_path, {"good.md": good_module, "bad.md": module_file(front("theory-bad", minutes=minutes))})
    programme = load_programme(tmp_path)
    error = only_error(programme, stage_dir / "bad.md")
    assert (error.field, error.key, error.params["limit"]) == ("minutes", "courses.error.must_be_greater", 0)
    assert programme.module("theory-good") is not None


def test_wrong_types_are_not_coerced(tmp_path: Path) -> None:
    meta = front("theory-bad", minutes="5", required="yes please", title="Just a string")
    stage_dir = make_stage(tmp_path, {"bad.md": module_file(meta)})
    errors = {e.field: e.key for e in file_errors(load_programme(tmp_path), stage_dir / "bad.md")}
    assert errors == {
        "minutes": "courses.error.expected_integer",
        "required": "courses.error.expected_boolean",
        "title": "courses.error.expected_mapping",
    }


def test_unknown_field_and_bad_id_are_reported(tmp_path: Path) -> None:
    meta = front("Theory Bad", minutes=5)
    meta["minuts"] = 5
    stage_dir = make_stage(tmp_path, {"bad.md": module_file(meta)})
    errors = {e.field: e for e in file_errors(load_programme(tmp_path), stage_dir / "bad.md")}
    assert errors["minuts"].key == "courses.error.unknown_field"
    assert errors["id"].key == "courses.error.bad_id" and errors["id"].params["value"] == "Theory Bad"


def test_missing_language_marker_is_reported(tmp_path: Path, good_module: str) -> None:
    english_only = "\n<!-- lang: en -->\n\n# Hello\n\nSome text.\n\n# 你好\n\n一些文字。\n"
    stage_dir = make_stage(
        tmp_path, {"good.md": good_module, "bad.md": module_file(front("theory-bad", order=2), english_only)}
    )
    programme = load_programme(tmp_path)
    error = only_error(programme, stage_dir / "bad.md")
    assert (error.field, error.key, error.params) == ("body.zh-CN", "courses.error.language_missing", {"lang": "zh-CN"})
    assert programme.module("theory-good") is not None


@pytest.mark.parametrize(
    ("body", "field", "key"),
    [
        ("\n<!-- lang: en -->\ntext\n<!-- lang:zh-CN -->\n文字\n", "body", "courses.error.language_marker_malformed"),
        ("\n<!-- lang: en -->\ntext\n<!-- lang: zh-CN -->\n   \n", "body.zh-CN", "courses.error.language_empty"),
        ("\n<!-- lang: en -->\na\n<!-- lang: en -->\nb\n<!-- lang: zh-CN -->\n文\n", "body.en", "courses.error.language_duplicate"),
        ("\n<!-- lang: en -->\na\n<!-- lang: fr -->\nb\n<!-- lang: zh-CN -->\n文\n", "body.fr", "courses.error.language_unknown"),
        ("\nStray intro.\n<!-- lang: en -->\na\n<!-- lang: zh-CN -->\n文\n", "body", "courses.error.text_before_language"),
    ],
)
def test_language_section_problems(tmp_path: Path, body: str, field: str, key: str) -> None:
    stage_dir = make_stage(tmp_path, {"bad.md": module_file(front("theory-bad"), body)})
    error = only_error(load_programme(tmp_path), stage_dir / "bad.md")
    assert (error.field, error.key) == (field, key)


def test_file_without_front_matter(tmp_path: Path) -> None:
    stage_dir = make_stage(tmp_path, {"bad.md": "# Just markdown\n" + BODY})
    error = only_error(load_programme(tmp_path), stage_dir / "bad.md")
    assert (error.field, error.key) == ("front_matter", "courses.error.front_matter_missing")


def test_duplicate_id_skips_the_later_file(tmp_path: Path) -> None:
    first = make_stage(tmp_path, {"one.md": module_file(front("shared-id"))})
    product = dict(STAGE, key="product", order=2)
    second = make_stage(tmp_path, {"two.md": module_file(front("shared-id", title={"en": "Copy", "zh-CN": "副本"}))},
                        stage=product, dirname="2-product")
    programme = load_programme(tmp_path)
    error = only_error(programme, second / "two.md")
    assert (error.field, error.key) == ("id", "courses.error.duplicate_id")
    assert error.params["other"] == str(first / "one.md")
    assert programme.module("shared-id").path == first / "one.md"
    assert programme.stage("product").modules == []


def test_duplicate_order_keeps_both_and_sorts_by_id(tmp_path: Path) -> None:
    stage_dir = make_stage(tmp_path, {"x.md": module_file(front("theory-b")), "y.md": module_file(front("theory-a"))})
    programme = load_programme(tmp_path)
    error = only_error(programme, stage_dir / "y.md")
    assert (error.field, error.key) == ("order", "courses.error.duplicate_order")
    assert [m.id for m in programme.stage("theory").modules] == ["theory-a", "theory-b"]


def test_broken_stage_file_does_not_stop_other_stages(tmp_path: Path) -> None:
    bad_stage = dict(STAGE, key="product", order=2, duration_days=0)
    del bad_stage["signoff_by"]
    make_stage(tmp_path, {"good.md": module_file(front("theory-good"))})
    product_dir = make_stage(tmp_path, {"p.md": module_file(front("product-x"))}, stage=bad_stage, dirname="2-product")
    programme = load_programme(tmp_path)
    errors = {e.field: e.key for e in file_errors(programme, product_dir / "stage.yaml")}
    assert errors == {"duration_days": "courses.error.must_be_greater", "signoff_by": "courses.error.missing_field"}
    assert programme.module("theory-good") is not None and programme.stage("product") is None
    missing = {e.params["key"] for e in programme.errors if e.key == "courses.error.stage_missing"}
    assert missing == {"product", "systems_skills", "shadowing", "supervised_calls"}


def test_stage_keys_requirements_and_folders_are_checked(tmp_path: Path) -> None:
    odd = dict(STAGE, key="onboarding", requirements={"min_quiz_scor": 80}, signoff_by=["boss"])
    odd_dir = make_stage(tmp_path, {}, stage=odd)
    errors = {e.field: e.key for e in file_errors(load_programme(tmp_path), odd_dir / "stage.yaml")}
    assert errors == {
        "key": "courses.error.invalid_choice",
        "requirements.min_quiz_scor": "courses.error.unknown_field",
        "signoff_by.0": "courses.error.invalid_choice",
    }
    (tmp_path / "stray").mkdir()
    assert only_error(load_programme(tmp_path), tmp_path / "stray" / "stage.yaml").key == (
        "courses.error.stage_file_missing"
    )


def test_folder_name_mismatch_is_reported_but_stage_loads(tmp_path: Path) -> None:
    stage_dir = make_stage(tmp_path, {}, dirname="2-theory")
    programme = load_programme(tmp_path)
    assert only_error(programme, stage_dir / "stage.yaml").key == "courses.error.stage_dir_mismatch"
    assert programme.stage("theory") is not None


def test_missing_root_is_an_error_not_an_exception(tmp_path: Path) -> None:
    programme = load_programme(tmp_path / "nowhere")
    assert programme.stages == [] and programme.errors[0].key == "courses.error.root_missing"


def test_windows_line_endings_and_bom_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + module_file(front("theory-crlf")).replace("\n", "\r\n")
    stage_dir = make_stage(tmp_path, {})
    (stage_dir / "crlf.md").write_bytes(text.encode("utf-8"))
    module = load_programme(tmp_path).module("theory-crlf")
    assert module is not None and module.body["zh-CN"] == "# 你好\n\n一些文字。"


def test_version_changes_when_the_file_changes(tmp_path: Path) -> None:
    stage_dir = make_stage(tmp_path, {"m.md": module_file(front("theory-m"))})
    before = load_programme(tmp_path).module("theory-m").version
    assert load_programme(tmp_path).module("theory-m").version == before
    (stage_dir / "m.md").write_text(module_file(front("theory-m"), BODY + "\nOne more line.\n"), encoding="utf-8")
    assert load_programme(tmp_path).module("theory-m").version != before


# --------------------------------------------------------------------------- locale catalogs


def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / lang / "courses.json").read_text(encoding="utf-8"))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogs_have_identical_keys_covering_every_error() -> None:
    en, zh = catalog("en"), catalog("zh-CN")
    assert set(en) == set(zh) == ERROR_KEYS
    for key in ERROR_KEYS:
        assert en[key].strip() and zh[key].strip()
        assert placeholders(en[key]) == placeholders(zh[key]), key
        assert cjk_characters(zh[key]) > 0, key


def test_loader_only_emits_catalogued_keys() -> None:
    source = Path(courses.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r'_error\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"', source))
    names |= set(courses._EXPECTED_TYPE.values()) | {name for name, _ in courses._LIMIT.values()}
    assert names, "no error names found in the loader source"
    assert {f"courses.error.{n}" for n in names} <= ERROR_KEYS


def test_emitted_errors_format_in_both_languages(tmp_path: Path) -> None:
    meta = front("Bad Id", minutes=0, required="no", title={"en": "x"})
    meta["extra"] = 1
    make_stage(tmp_path, {"bad.md": module_file(meta, "\n<!-- lang: en -->\nonly\n")})
    errors = load_programme(tmp_path).errors
    assert len({e.key for e in errors}) >= 6
    for lang in ("en", "zh-CN"):
        texts = catalog(lang)
        for error in errors:
            assert texts[error.key].format(**error.params)


def test_localized_text_requires_both_languages() -> None:
    assert LocalizedText.model_validate({"en": "a", "zh-CN": "甲"}).zh_cn == "甲"
    with pytest.raises(ValueError):
        LocalizedText.model_validate({"en": "a"})
