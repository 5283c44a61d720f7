"""Scorecards and rubrics on the one rubric engine: versions, files, the builder's form, exam rubrics."""
import json
from itertools import product

import pytest
from sqlmodel import select

from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Exam, QaScorecardVersion, Rubric
from portal.onboarding.rules import (
    CHECKLIST,
    CRITICAL_AREAS,
    MARKS,
    MISSED,
    POINTS_PER_MARK,
    TICKET_CHECKLIST,
    critical_misses,
    review_points,
)
from portal.qa import scorecards
from portal.quizzes import rubrics
from portal.quizzes.specs import NA, RubricSpec, load_quiz_specs
from portal.roles import Role
from tests.utils.factories import make_user

ROOT = scorecards.SCORECARDS_DIR.parents[1]


def voice() -> RubricSpec:
    return scorecards.load_scorecard_files()[0]["voice-call"]


# ----------------------------------------------------------------------------- the engine


def test_ticket_checklist_scores_as_the_old_rule_for_every_combination_of_marks():
    """The old rule: points = sum of marks x 10; a critical miss = a critical area marked MISSED."""
    for combination in product(MARKS, repeat=len(CHECKLIST)):
        marks = dict(zip(CHECKLIST, combination))
        assert review_points(marks) == sum(combination) * POINTS_PER_MARK
        assert critical_misses(marks) == [a for a in CHECKLIST if a in CRITICAL_AREAS and marks[a] == MISSED]


def test_ticket_checklist_is_a_rubric_of_the_engine():
    assert isinstance(TICKET_CHECKLIST, RubricSpec) and [i.id for _, i in TICKET_CHECKLIST.items()] == list(CHECKLIST)


def test_unscored_items_come_from_the_engine_by_number():
    spec = voice()
    assert [n for n, _ in spec.unscored_items({})] == list(range(1, 15))
    marks = {item.id: NA if item.allow_na else 0.0 for _, item in spec.items()}
    assert spec.unscored_items(marks) == [] and spec.not_applicable_refused(marks) == []
    assert [n for n, _ in spec.not_applicable_refused({"verify-before-details": NA})] == [2]


def test_critical_below_must_be_on_a_critical_item_and_within_its_points():
    from portal.quizzes.specs import validate_rubric

    data = json.loads(voice().model_dump_json(by_alias=True))
    data["sections"][0]["items"][0]["critical_below"] = 1
    _, problems = validate_rubric(data)
    assert [(p.field, p.key) for p in problems] == [("sections[0].items[0].critical_below",
                                                     "qa.rubric.error.critical_below_needs_critical")]
    data["sections"][0]["items"][0]["critical_below"] = None
    data["sections"][0]["items"][1]["critical_below"] = 9
    _, problems = validate_rubric(data)
    assert [p.field for p in problems] == ["sections[0].items[1].critical_below"]


# ----------------------------------------------------------------------------- files


def test_demo_scorecard_files_load_and_round_trip():
    specs, errors = scorecards.load_scorecard_files()
    assert errors == [] and set(specs) == {"voice-call", "complaint-handling"}
    for spec in specs.values():
        again, problems = scorecards.spec_from_yaml(scorecards.spec_to_yaml(spec))
        assert problems == [] and again == spec
    assert "身份核实" in scorecards.spec_to_yaml(specs["voice-call"])  # Chinese kept readable


def test_bad_scorecard_file_names_each_problem_by_field(tmp_path):
    text = scorecards.spec_to_yaml(voice()).replace("max_points: 5", "max_points: -1", 1)
    text = text.replace("zh-CN: 需求分析", "zh-CN: ''")
    (tmp_path / "voice-call.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "other.yaml").write_text("id: [unclosed", encoding="utf-8")
    specs, errors = scorecards.load_scorecard_files(tmp_path)
    assert specs == {}
    fields = {(e.path.name, e.field, e.key) for e in errors}
    assert ("voice-call.yaml", "sections[0].items[1].max_points", "quizspecs.error.must_exceed") in fields
    assert ("voice-call.yaml", "sections[1].title.zh-CN", "quizspecs.error.empty_text") in fields
    assert ("other.yaml", "", "quizspecs.error.yaml_syntax") in fields


# ----------------------------------------------------------------------------- versions


def test_every_edit_is_a_new_version_and_an_unchanged_save_is_not(session):
    qa = make_user(session, "qa1", Role.QA)
    first = scorecards.save_scorecard(session, qa, voice())
    assert scorecards.save_scorecard(session, qa, voice()).id == first.id  # a double click: no version
    edited = voice().model_copy(update={"critical_miss": "zero_section"})
    second = scorecards.save_scorecard(session, qa, edited, based_on_version_id=first.id)
    assert (first.version, second.version) == (1, 2)
    history = scorecards.version_history(session, qa, "voice-call")
    assert [v.version for v in history] == [2, 1] and history[1].spec.critical_miss == "fail_exam"
    assert scorecards.current_spec(session, qa, "voice-call") == (second.id, edited)
    with pytest.raises(ValidationFailed) as stale:  # someone else's editor started from v1
        scorecards.save_scorecard(session, qa, voice(), based_on_version_id=first.id)
    assert stale.value.key == "qa.scorecards.error.stale"
    with pytest.raises(ValidationFailed) as taken:
        scorecards.save_scorecard(session, qa, voice(), new=True)
    assert taken.value.key == "qa.rubric.error.code_taken"


def test_sync_of_files_keeps_edits_as_history(session):
    qa = make_user(session, "qa1", Role.QA)
    assert scorecards.sync_scorecard_files(session, qa) == 2
    assert scorecards.sync_scorecard_files(session, qa) == 0
    edited = voice().model_copy(update={"critical_miss": "zero_section"})
    scorecards.save_scorecard(session, qa, edited)
    assert scorecards.sync_scorecard_files(session, qa) == 1  # the file again, as version 3; v2 kept
    assert [v.version for v in scorecards.version_history(session, qa, "voice-call")] == [3, 2, 1]


def test_archive_hides_from_the_list_and_is_audited(session):
    qa = make_user(session, "qa1", Role.QA)
    scorecards.save_scorecard(session, qa, voice())
    scorecards.set_archived(session, qa, "voice-call")
    assert scorecards.list_scorecards(session, qa) == []
    assert [c.archived for c in scorecards.list_scorecards(session, qa, include_archived=True)] == [True]


@pytest.mark.parametrize("role", [Role.AGENT, Role.LEAD, Role.MENTOR])
def test_only_authors_write_scorecards(session, role):
    someone = make_user(session, "someone", role)
    with pytest.raises(PermissionDenied):
        scorecards.save_scorecard(session, someone, voice())


def test_mentors_do_not_read_scorecards(session):
    mentor = make_user(session, "mentor1", Role.MENTOR)
    with pytest.raises(PermissionDenied):
        scorecards.list_scorecards(session, mentor)


# ----------------------------------------------------------------------------- the builder's form


def test_form_round_trip_and_ids_made_from_text():
    header, sections = scorecards.form_from_rubric(voice())
    assert scorecards.rubric_from_form(header, sections) == (voice(), [])
    header = {"id": "", "title_en": "Chat QA", "title_zh": "在线质检", "critical_miss": "zero_section"}
    sections = [{"id": "", "title_en": "Opening", "title_zh": "开场", "weight": 1.0, "items": [
        {"id": None, "text_en": "Greets the customer", "text_zh": "问候客户", "max_points": 2.0, "critical": False,
         "allow_na": True},
        {"id": "", "text_en": "Greets the customer", "text_zh": "再次问候", "max_points": 1.0},
        {"id": None, "text_en": None, "text_zh": None, "max_points": None}]}]  # a blank row: skipped
    spec, problems = scorecards.rubric_from_form(header, sections)
    assert problems == []
    assert spec.id == "chat-qa" and [i.id for _, i in spec.items()] == ["greets-the-customer",
                                                                        "greets-the-customer-2"]
    assert spec.sections[0].id == "opening" and spec.critical_miss == "zero_section"


def test_form_problems_name_section_item_and_field():
    header, sections = scorecards.form_from_rubric(voice())
    sections[1]["items"][0]["text_zh"] = ""
    sections[1]["items"][1]["max_points"] = None
    sections[2]["weight"] = 0
    sections[3]["items"] = []
    spec, problems = scorecards.rubric_from_form(header, sections)
    assert spec is None
    assert {(p.field, p.key) for p in problems} == {
        ("sections[1].items[0].text.zh-CN", "quizspecs.error.empty_text"),
        ("sections[1].items[1].max_points", "quizspecs.error.missing_field"),
        ("sections[2].weight", "quizspecs.error.must_exceed"),
        ("sections[3].items", "quizspecs.error.empty_value")}


# ----------------------------------------------------------------------------- practical-exam rubrics


def roleplay() -> RubricSpec:
    return load_quiz_specs(ROOT / "quizzes").rubrics["roleplay-call"]


def test_trainer_edits_an_exam_rubric_and_files_stay_the_source_of_new_codes(session):
    trainer = make_user(session, "trainer1", Role.TRAINER)
    rubrics.save_rubric(session, trainer, roleplay(), new=True)
    spec = rubrics.rubric_spec(session, trainer, "roleplay-call")
    renamed = spec.model_copy(update={"critical_miss": "zero_section"})
    rubrics.save_rubric(session, trainer, renamed, based_on=spec)
    assert json.loads(session.exec(select(Rubric.spec)).one())["critical_miss"] == "zero_section"
    other_edit = spec.model_copy(update={"description": None})
    with pytest.raises(ValidationFailed) as stale:  # an editor opened before the save above
        rubrics.save_rubric(session, trainer, other_edit, based_on=spec)
    assert stale.value.key == "qa.scorecards.error.stale"
    assert [r.code for r in rubrics.list_rubrics(session, trainer)] == ["roleplay-call"]


def test_exam_rubric_refuses_na_and_item_changes_once_attempted(session):
    from portal.models import Attempt

    trainer = make_user(session, "trainer1", Role.TRAINER)
    learner = make_user(session, "learner1", Role.NEWHIRE)
    rubric = rubrics.save_rubric(session, trainer, roleplay(), new=True)
    data = json.loads(roleplay().model_dump_json(by_alias=True))
    data["sections"][0]["items"][0]["allow_na"] = True
    with pytest.raises(ValidationFailed) as refused:
        rubrics.save_rubric(session, trainer, RubricSpec.model_validate(data))
    assert refused.value.key == "qa.rubric.error.no_na_in_exams"
    exam = Exam(code="practical-x", kind="practical", title_en="X", title_zh="X", description_en="x",
                description_zh="x", pass_mark=80, rubric_id=rubric.id)
    session.add(exam)
    session.flush()
    session.add(Attempt(exam_id=exam.id, user_id=learner.id, number=1))
    session.flush()
    fewer = json.loads(roleplay().model_dump_json(by_alias=True))
    fewer["sections"][0]["items"].pop()
    with pytest.raises(ValidationFailed) as refused:
        rubrics.save_rubric(session, trainer, RubricSpec.model_validate(fewer))
    assert refused.value.key == "qa.rubric.error.items_in_use" and refused.value.params["attempts"] == 1
    retitled = json.loads(roleplay().model_dump_json(by_alias=True))
    retitled["sections"][0]["title"]["en"] = "Greeting"
    rubrics.save_rubric(session, trainer, RubricSpec.model_validate(retitled))  # texts may change


def test_only_exam_authors_edit_exam_rubrics(session):
    qa = make_user(session, "qa1", Role.QA)
    with pytest.raises(PermissionDenied):
        rubrics.save_rubric(session, qa, roleplay(), new=True)
    with pytest.raises(PermissionDenied):
        rubrics.list_rubrics(session, qa)


def test_scorecard_versions_are_rubric_json(session):
    qa = make_user(session, "qa1", Role.QA)
    scorecards.save_scorecard(session, qa, voice())
    stored = session.exec(select(QaScorecardVersion.spec)).one()
    assert RubricSpec.model_validate_json(stored) == voice()
