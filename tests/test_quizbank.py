"""The question bank: import/export through the database, whole-file rejection, versions, drafts,
translations, permissions per role, and the authoring page."""
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AttemptAnswer, Question, QuestionTag, QuestionVersion
from portal.quizzes import bank, practice, render
from portal.quizzes.gift import parse_gift
from portal.quizzes.interchange import Answer, QuestionData, QuestionFileError
from portal.quizzes.specs import LocalizedText, PracticeSpec
from portal.roles import Role
from portal.roles import SYSTEM
from tests.utils.factories import make_user

FIXTURES = Path(__file__).parent / "fixtures" / "quizbank"
GOOD = (FIXTURES / "good.gift").read_text(encoding="utf-8")
BAD = (FIXTURES / "bad.gift").read_text(encoding="utf-8")


@pytest.fixture
def trainer(session):
    return make_user(session, "tina", Role.TRAINER)


@pytest.fixture
def imported(session, trainer):
    result = bank.import_questions(session, trainer, parse_gift(GOOD), "en")
    session.commit()
    return result


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def as_json(question: QuestionData) -> dict:
    """The JSON shape, tags as a set (the bank does not keep their order)."""
    return {**question.to_json_dict(), "tags": sorted(question.tags)}


def mc(idnumber="NEW-1", text="Which plan?", right="A", tags=("product",)) -> QuestionData:
    return QuestionData(qtype="multichoice", name=f"{idnumber} name", questiontext=text, single=True,
                        answers=[Answer(right, 1.0, "Yes"), Answer("Other", 0.0, "No")], category="product",
                        tags=list(tags), idnumber=idnumber)


# --- import and export ------------------------------------------------------------------


def test_import_saves_every_type_with_tags_categories_and_versions(session, imported):
    assert sorted(imported.created) == sorted(["FIX-MC1", "FIX-MULTI", "FIX-TF", "FIX-SA", "FIX-NUM", "FIX-MATCH",
                                               "FIX-ESSAY"])
    bank_df = bank.list_questions(session, SYSTEM)
    assert set(bank_df["qtype"]) == {"multichoice", "truefalse", "shortanswer", "numerical", "match", "essay"}
    row = bank_df.set_index("idnumber").loc["FIX-SA"]
    assert row["category"] == "etiquette/opening-closing" and row["tags"] == "custom-tag, etiquette"
    assert row["version"] == 1 and row["status"] == "published"
    version = bank.serve_version(session, "FIX-MULTI", "en")
    assert [a["fraction"] for a in render.version_payload(version)["answers"]] == [0.5, 0.5, -1.0]


def test_export_and_reimport_gives_the_same_questions(session, imported, trainer):
    exported = bank.export_questions(session, trainer, "gift")
    assert exported.count == 7 and not exported.skipped
    original = {q.idnumber: as_json(q) for q in parse_gift(GOOD)}
    again = {q.idnumber: as_json(q) for q in parse_gift(exported.text)}
    assert again == original
    result = bank.import_questions(session, trainer, parse_gift(exported.text), "en")
    assert sorted(result.unchanged) == sorted(original) and not result.created and not result.updated
    assert count(session, QuestionVersion) == 7


def test_export_by_tag_and_aiken_leaves_out_what_aiken_cannot_hold(session, imported, trainer):
    product = bank.export_questions(session, trainer, "gift", tag="product")
    assert {q.idnumber for q in parse_gift(product.text)} == {"FIX-MC1", "FIX-MULTI"}
    aiken = bank.export_questions(session, trainer, "aiken")
    assert aiken.count == 2  # single-answer multiple choice and true/false
    assert "ANSWER: A" in aiken.text and len(aiken.skipped) == 5
    with pytest.raises(ValidationFailed):
        bank.export_questions(session, trainer, "xml")


def test_a_malformed_file_is_rejected_whole_with_every_line(session, trainer):
    with pytest.raises(QuestionFileError) as caught:
        parse_gift(GOOD + "\n\n" + BAD)
    assert len(caught.value.problems) == 3
    assert count(session, Question) == 0
    lines = [p.line for p in caught.value.problems]
    assert lines == sorted(lines) and all(line > 40 for line in lines)
    texts = [bank.problem_text(p, "zh-CN") for p in caught.value.problems]
    assert texts[0].startswith(f"第 {lines[0]} 行：") and "100%" in texts[0]


def test_a_rejected_file_is_one_portal_error_whose_problems_pages_list_under_the_message():
    """The page's refusal (run_action / service_call) names the file and lists every problem with its line."""
    from portal.errors import PortalError
    from portal.i18n import Translator
    from portal.quizzes.detect import read_question_file
    from portal.quizzes.specs import SpecFileError
    from portal.ui.widgets import refusal_text

    with pytest.raises(PortalError) as caught:
        read_question_file((GOOD + "\n\n" + BAD).encode(), "gift", "bad.gift")
    shown = refusal_text(Translator("en"), caught.value)
    title, _, listed = shown.partition("\n\n")
    assert title == "**bad.gift was not imported; problems found: 3. Nothing was saved.**"
    assert [line[:7] for line in listed.splitlines()] == ["- Line "] * 3
    with pytest.raises(QuestionFileError) as form:
        bank.validate_question(QuestionData(qtype="multichoice", name="Q", questiontext="?", answers=[]))
    shown = refusal_text(Translator("zh-CN"), form.value)
    assert shown.startswith("**题目无法保存") and "\n- " in shown and "第 " not in shown  # a form has no lines
    assert issubclass(SpecFileError, PortalError)


def test_import_is_all_or_nothing_for_problems_only_the_bank_sees(session, trainer):
    questions = parse_gift(GOOD)
    duplicate = replace(questions[1], idnumber=questions[0].idnumber, line=99)
    with pytest.raises(QuestionFileError) as caught:
        bank.import_questions(session, trainer, [*questions, duplicate], "en")
    assert [p.key for p in caught.value.problems] == ["quizbank.error.duplicate_idnumber"]
    assert caught.value.problems[0].line == 99
    assert count(session, Question) == 0 and count(session, QuestionVersion) == 0


def test_reimport_makes_a_new_version_only_when_content_changed(session, imported, trainer):
    changed = GOOD.replace("Which roaming day pass suits", "Which roaming pass suits")
    changed = changed.replace("[id:FIX-TF] [tag:etiquette]", "[id:FIX-TF] [tag:etiquette] [tag:hang-up]")
    result = bank.import_questions(session, trainer, parse_gift(changed), "en")
    assert result.updated == ["FIX-MC1", "FIX-TF"] and len(result.unchanged) == 5
    mc1 = session.exec(select(Question).where(Question.idnumber == "FIX-MC1")).one()
    versions = bank.get_question(session, trainer, mc1.id).versions
    assert [(v.version, v.status) for v in versions] == [(2, "published"), (1, "retired")]
    tf = session.exec(select(Question).where(Question.idnumber == "FIX-TF")).one()
    assert len(bank.get_question(session, trainer, tf.id).versions) == 1  # tags are not versioned
    assert "hang-up" in bank.get_question(session, trainer, tf.id).tags


def test_aiken_questions_without_ids_get_stable_ones(session, trainer):
    from portal.quizzes.aiken import parse_aiken

    text = "Which number is the hotline?\nA. 10086\nB. 110\nANSWER: A\n"
    first = bank.import_questions(session, trainer, parse_aiken(text), "en")
    second = bank.import_questions(session, trainer, parse_aiken(text), "en")
    assert len(first.created) == 1 and second.unchanged == first.created


# --- versions, drafts and serving ------------------------------------------------------------


def test_an_edit_is_a_new_version_and_a_draft_is_never_served(session, imported, trainer):
    question_id = bank.find_question_id(session, trainer, "FIX-MC1", "en")
    detail = bank.get_question(session, trainer, question_id)
    draft = bank.save_version(session, trainer, question_id, replace(detail.data(), questiontext="Draft text"),
                              publish=False)
    assert draft.version == 2 and draft.status == "draft"
    assert bank.serve_version(session, "FIX-MC1", "en").questiontext.startswith("Which roaming")
    listed = bank.list_questions(session, trainer, search="FIX-MC1").iloc[0]
    assert listed["has_draft"] and listed["version"] == 1
    bank.publish_version(session, trainer, draft.id)
    assert bank.serve_version(session, "FIX-MC1", "en").questiontext == "Draft text"
    assert [v.status for v in bank.get_question(session, trainer, question_id).versions] == ["published", "retired"]
    assert list(bank.version_history(session, trainer, question_id)["version"]) == [2, 1]


def test_a_question_created_as_draft_is_not_served_or_drawn(session, trainer):
    bank.create_question(session, trainer, mc("DRAFT-1"), "en", publish=False)
    assert bank.serve_version(session, "DRAFT-1", "en") is None
    assert bank.eligible_idnumbers(session, ["product"]) == []
    with pytest.raises(ValidationFailed):
        bank.create_question(session, trainer, mc("DRAFT-1"), "en")
    with pytest.raises(QuestionFileError):
        bank.create_question(session, trainer, replace(mc("NO-RIGHT"), answers=[Answer("a", 0.0), Answer("b", 0.0)]))


def test_an_attempt_keeps_the_version_it_answered_after_an_edit(session, imported, trainer):
    learner = make_user(session, "lena", Role.NEWHIRE)
    spec = PracticeSpec(id="practice-fix", title=LocalizedText(en="Fix", **{"zh-CN": "练习"}),
                        tags=["product"], count=2)
    practice.sync_practice_quizzes(session, trainer, {"practice-fix": spec})
    attempt_id = practice.start_practice(session, learner, "practice-fix", "en")
    answers = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()
    old = {a.idnumber: a.question_version_id for a in answers}
    for idnumber in old:
        question_id = bank.find_question_id(session, trainer, idnumber, "en")
        data = bank.get_question(session, trainer, question_id).data()
        bank.save_version(session, trainer, question_id, replace(data, questiontext="Edited"), publish=True)
    view = practice.get_practice_attempt(session, learner, attempt_id)
    assert {item.idnumber: item.version.id for item in view.items} == old
    assert all(item.version.questiontext != "Edited" for item in view.items)
    assert all(bank.serve_version(session, i, "en").questiontext == "Edited" for i in old)


def test_translations_are_served_in_the_learners_language_with_english_fallback(session, imported, trainer):
    question_id = bank.find_question_id(session, trainer, "FIX-TF", "en")
    data = bank.get_question(session, trainer, question_id).data()
    bank.create_translation(session, trainer, question_id, "zh-CN",
                            replace(data, questiontext="坐席应在客户之后挂机。", idnumber="ignored"))
    assert bank.serve_version(session, "FIX-TF", "zh-CN").questiontext == "坐席应在客户之后挂机。"
    assert bank.serve_version(session, "FIX-TF", "en").questiontext.startswith("The agent hangs up")
    assert bank.serve_version(session, "FIX-SA", "zh-CN").questiontext.startswith("What do you give")  # fallback
    detail = bank.get_question(session, trainer, question_id)
    assert set(detail.translations) == {"zh-CN"}
    listed = bank.list_questions(session, trainer, language="zh-CN")
    assert list(listed["idnumber"]) == ["FIX-TF"] and listed.iloc[0]["translations"] == "en"
    with pytest.raises(ValidationFailed):
        bank.create_translation(session, trainer, question_id, "en", data)


def test_archived_questions_are_hidden_and_never_served(session, imported, trainer):
    question_id = bank.find_question_id(session, trainer, "FIX-NUM", "en")
    bank.archive_question(session, trainer, question_id)
    assert bank.serve_version(session, "FIX-NUM", "en") is None
    assert "FIX-NUM" not in set(bank.list_questions(session, trainer)["idnumber"])
    assert "FIX-NUM" in set(bank.list_questions(session, trainer, include_archived=True)["idnumber"])


def test_listing_filters_and_counts(session, imported, trainer):
    assert len(bank.list_questions(session, trainer, tags=["product"])) == 2
    assert len(bank.list_questions(session, trainer, category="etiquette")) == 5
    assert list(bank.list_questions(session, trainer, qtype="numerical")["idnumber"]) == ["FIX-NUM"]
    assert list(bank.list_questions(session, trainer, search="speech RATE")["idnumber"]) == ["FIX-NUM"]
    assert bank.list_questions(session, trainer, language="zh-CN").empty
    facets = bank.facet_counts(bank.list_questions(session, trainer))
    assert facets["tag"]["etiquette"] == 5 and facets["category"]["product"] == 2
    assert facets["qtype"]["multichoice"] == 2
    assert "custom-tag" in bank.all_tags(session)


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TRAINER])
def test_trainers_and_admins_author_import_and_export(session, role):
    author = make_user(session, "author", role)
    bank.import_questions(session, author, parse_gift(GOOD), "en")
    bank.create_question(session, author, mc(), "en")
    assert len(bank.list_questions(session, author)) == 8
    assert bank.export_questions(session, author, "gift").count == 8


@pytest.mark.parametrize("role", [Role.MENTOR, Role.LEAD, Role.NEWHIRE, Role.AGENT])
def test_other_roles_may_not_author_import_or_export(session, trainer, role):
    other = make_user(session, "other", role)
    bank.import_questions(session, trainer, parse_gift(GOOD), "en")
    question_id = bank.find_question_id(session, trainer, "FIX-MC1", "en")
    for call in (lambda: bank.import_questions(session, other, parse_gift(GOOD), "en"),
                 lambda: bank.create_question(session, other, mc(), "en"),
                 lambda: bank.save_version(session, other, question_id, mc(), publish=True),
                 lambda: bank.list_questions(session, other),
                 lambda: bank.get_question(session, other, question_id),
                 lambda: bank.archive_question(session, other, question_id),
                 lambda: bank.export_questions(session, other, "gift")):
        with pytest.raises(PermissionDenied):
            call()
    assert count(session, QuestionVersion) == 7 and count(session, QuestionTag) > 0


# --- the authoring page (AppTest) ---------------------------------------------------------------


def _click(at, label):
    next(b for b in at.button if b.label == label).click().run()


def test_trainer_browses_the_bank_with_counts_and_filters(demo_engine):
    from tests.utils.apptest import app_as, errors_of

    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_questions.py").run()
    assert not errors_of(at)
    assert {m.label: m.value for m in at.metric}["Questions"] == "156"
    at.text_input(key="qb_search").input("PRD-001").run()
    assert {m.label: m.value for m in at.metric}["Questions"] == "2"  # English and Chinese
    at.selectbox(key="qb_language").select("zh-CN").run()
    assert {m.label: m.value for m in at.metric}["Questions"] == "1" and not errors_of(at)


def test_trainer_creates_a_question_with_preview_then_drafts_an_edit(demo_engine):
    from sqlmodel import Session

    from tests.utils.apptest import app_as, errors_of

    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_questions.py").run()
    _click(at, "New question")
    at.text_input(key="qb-new-id").input("ETQ-900")
    at.text_input(key="qb-new-name").input("Smile")
    at.selectbox(key="qb-new-qtype").select("truefalse")
    at.text_input(key="qb-new-tags").input("etiquette, voice")
    at.text_area(key="qb-new-text").input("Callers can hear a smile.<script>alert(1)</script>").run()
    assert not errors_of(at)
    preview = [m.value for m in at.markdown if "Callers can hear" in m.value]
    assert preview and "script" not in preview[0]  # the preview is sanitized
    at.radio(key="qb-new-tf").set_value(True)
    at.text_input(key="qb-new-tf-true").input("Right, it changes your voice.")
    at.button(key="qb-new-publish").click().run()
    assert not errors_of(at) and not at.error
    assert at.subheader[0].value == "ETQ-900 · English"
    with Session(demo_engine) as session:
        served = bank.serve_version(session, "ETQ-900", "en")
        assert served.version == 1 and bank.has_tag(session, "ETQ-900", "voice")
        question_id = served.question_id
    key = f"qb-{question_id}-v1"
    at.text_area(key=f"{key}-text").input("Callers can hear a smile, even on the phone.")
    at.button(key=f"{key}-draft").click().run()
    assert not errors_of(at) and not at.error
    with Session(demo_engine) as session:
        assert bank.serve_version(session, "ETQ-900", "en").version == 1  # the draft is not served
        assert [v.status for v in bank.get_question(session, SYSTEM, question_id).versions] == ["draft", "published"]
    _click(at, "Create the 简体中文 translation")
    assert "Translate ETQ-900" in at.subheader[0].value


def test_a_question_that_breaks_the_rules_is_not_saved_and_says_why(demo_engine):
    from tests.utils.apptest import app_as, errors_of

    at = app_as(demo_engine, "trainer", language="zh-CN").run()
    at.switch_page("pages/authoring_questions.py").run()
    _click(at, "新建题目")
    at.text_input(key="qb-new-id").input("BAD-900")
    at.text_area(key="qb-new-text").input("没有答案的选择题").run()
    at.button(key="qb-new-publish").click().run()
    assert not errors_of(at)
    assert "题目无法保存" in at.error[0].value and "至少" in at.error[0].value
    with Session(demo_engine) as session:
        assert session.exec(select(Question).where(Question.idnumber == "BAD-900")).first() is None
