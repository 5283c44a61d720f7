"""The monthly quality focus: writing, publishing, read-only once published, pass rates, what to assign."""
import json

import pytest
from sqlmodel import select

from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AuditEntry, Exam, QaFocusItem, Question, QuestionTag
from portal.qa import focus
from portal.qa.focus import FocusDraft
from tests.utils.qa_feed import MONTHS, small_center

VERIFY = FocusDraft("2026-11", "Verification before details", "核实身份后再谈业务", ("verify",), ("systems-crm",), ())


@pytest.fixture
def world(session):
    return small_center(session)


def test_an_analyst_writes_and_publishes_and_everyone_on_the_dashboard_reads(session, world):
    item_id = focus.save_item(session, world.analyst1, VERIFY)
    assert focus.focus_items(session, world.lead_a, "2026-11") == []  # a draft is the writers' only
    assert [i.id for i in focus.focus_items(session, world.trainer, "2026-11")] == [item_id]
    assert focus.publish_month(session, world.analyst1, "2026-11") == 1
    shown = focus.focus_items(session, world.lead_a, "2026-11")
    assert [(i.title("zh-CN"), i.scorecard_item_ids, i.module_codes) for i in shown] == [
        ("核实身份后再谈业务", ("verify",), ("systems-crm",))]
    assert shown[0].published_at is not None


def test_the_same_item_sent_twice_is_saved_once(session, world):
    first = focus.save_item(session, world.analyst1, VERIFY)
    assert focus.save_item(session, world.analyst1, VERIFY) == first
    assert len(session.exec(select(QaFocusItem)).all()) == 1
    with pytest.raises(ValidationFailed) as refused:  # the same title with other links is another item: refused
        focus.save_item(session, world.analyst1, FocusDraft(**{**VERIFY.__dict__, "scorecard_item_ids": ("greet",)}))
    assert refused.value.key == "qa.focus.error.duplicate_title"


def test_a_published_month_is_read_only_except_by_an_audited_republish(session, world):
    item_id = focus.save_item(session, world.analyst1, VERIFY)
    focus.publish_month(session, world.analyst1, "2026-11")
    changed = FocusDraft(**{**VERIFY.__dict__, "title_zh": "先核实身份，再谈业务"})
    for attempt in (lambda: focus.save_item(session, world.trainer, changed, item_id),
                    lambda: focus.save_item(session, world.trainer, FocusDraft("2026-11", "New", "新", ("greet",))),
                    lambda: focus.delete_item(session, world.trainer, item_id)):
        with pytest.raises(ValidationFailed) as refused:
            attempt()
        assert refused.value.key == "qa.focus.error.published"
    assert focus.save_item(session, world.trainer, changed, item_id, republish=True) == item_id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "qa_focus.republished")).one()
    details = json.loads(entry.details)
    assert (details["before"]["title_zh"], details["after"]["title_zh"]) == ("核实身份后再谈业务", "先核实身份，再谈业务")
    assert focus.focus_items(session, world.lead_a, "2026-11")[0].title_zh == "先核实身份，再谈业务"


@pytest.mark.parametrize("draft, key", [
    (FocusDraft("2026-11", " ", "核实", ("verify",)), "qa.focus.error.title_en_required"),
    (FocusDraft("2026-11", "Verify", "", ("verify",)), "qa.focus.error.title_zh_required"),
    (FocusDraft("2026-11", "Verify", "核实"), "qa.focus.error.no_links"),
    (FocusDraft("2026-11", "Verify", "核实", ("no_such_item",)), "qa.focus.error.unknown_item"),
    (FocusDraft("2026-11", "Verify", "核实", (), ("no-such-module",)), "qa.focus.error.unknown_module"),
    (FocusDraft("2026-11", "Verify", "核实", (), (), ("no-such-tag",)), "qa.focus.error.unknown_tag"),
    (FocusDraft("2026-13", "Verify", "核实", ("verify",)), "qa.focus.error.month"),
])
def test_what_is_refused(session, world, draft, key):
    with pytest.raises(ValidationFailed) as refused:
        focus.save_item(session, world.analyst1, draft)
    assert refused.value.key == key


def test_only_qa_and_trainers_write(session, world):
    for actor in (world.lead_a, world.agent1):
        with pytest.raises(PermissionDenied):
            focus.save_item(session, actor, VERIFY)
    focus.save_item(session, world.analyst1, VERIFY)
    for actor in (world.lead_a, world.agent1):
        with pytest.raises(PermissionDenied):
            focus.publish_month(session, actor, "2026-11")
    with pytest.raises(PermissionDenied):
        focus.focus_items(session, world.agent1, "2026-11")  # agents do not read the dashboard


def test_pass_rates_by_month_from_the_linked_items(session, world):
    for month in MONTHS:
        focus.save_item(session, world.analyst1, FocusDraft(month, "Verification before details", "核实身份后再谈业务",
                                                            ("verify",)))
    focus.publish_month(session, world.analyst1, "2026-10")  # November's stays a draft: not shown
    frame = focus.pass_rates(session, world.lead_a, world.team_a, MONTHS)
    assert [tuple(r) for r in frame[["focus_month", "month", "scored", "passed", "pass_rate"]].itertuples(index=False)] \
        == [("2026-10", "2026-10", 3, 2, 0.6667), ("2026-10", "2026-11", 2, 1, 0.5)]
    with pytest.raises(PermissionDenied):
        focus.pass_rates(session, world.lead_b, world.team_a, MONTHS)


def test_a_trainer_sees_modules_and_quizzes_to_assign(session, world):
    question = Question(idnumber="VER-1", language="en", qtype="multichoice", category="x")
    session.add(question)
    session.flush()
    session.add_all([QuestionTag(question_id=question.id, tag="verification"),
                     QuestionTag(question_id=question.id, tag="etiquette"),
                     Exam(code="practice-etiquette", kind="practice", title_en="Practice: etiquette",
                          title_zh="练习：礼仪", pool_tags='["etiquette"]'),
                     Exam(code="practice-product", kind="practice", title_en="Practice: product", title_zh="练习：产品",
                          pool_tags='["product"]')])
    session.flush()
    focus.save_item(session, world.analyst1, FocusDraft("2026-11", "Verification before details", "核实身份后再谈业务",
                                                        ("verify",), ("systems-crm",), ("verification",)))
    [assignment] = focus.assignments(session, world.trainer, "2026-11")
    assert [code for code, *_ in assignment.modules] == ["systems-crm"]
    assert assignment.modules[0][2]  # the module's Chinese title from the course files
    assert assignment.quizzes == (("practice-etiquette", "Practice: etiquette", "练习：礼仪", 1),)
    with pytest.raises(PermissionDenied):
        focus.assignments(session, world.lead_a, "2026-11")
