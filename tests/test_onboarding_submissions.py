"""The same logging form sent twice logs one call (idempotency keys, `portal.submissions`), on SQLite and
PostgreSQL; and the pages that use `RecordForm` clear on save and refuse beside the field."""
import pytest
from sqlmodel import Session, func, select

from portal import auth, onboarding
from portal.errors import ValidationFailed
from portal.models import ShadowingCall, SupervisedCall
from portal.ui.forms import new_submission_key
from tests.test_onboarding import CALL_DAY, TODAY, world  # noqa: F401  (the fixture)
from tests.utils.apptest import app_as, errors_of


def shadowing(session, actor, key, did_well="Suspended the SIM first."):
    return onboarding.record_shadowing_call(session, actor, call_date=CALL_DAY, call_type="loss_report",
                                            did_well=did_well, learned="Loss first.", today=TODAY,
                                            submission_key=key)


def supervised(session, actor, key, ticket="2610-0001"):
    return onboarding.record_supervised_call(session, actor, call_date=CALL_DAY, call_type="billing_question",
                                             ticket_ref=ticket, summary="Explained the roaming charge.",
                                             today=TODAY, submission_key=key)


def calls(session, model, user_id) -> int:
    return session.exec(select(func.count()).select_from(model).where(model.user_id == user_id)).one()


def test_the_same_shadowing_submission_twice_logs_one_call(session, world):  # noqa: F811
    key = new_submission_key()
    first = shadowing(session, world.newhire, key)
    again = shadowing(session, world.newhire, key)
    assert again.id == first.id and calls(session, ShadowingCall, world.newhire.id) == 1
    shadowing(session, world.newhire, new_submission_key())  # the next call, drawn afresh: a second record
    shadowing(session, world.newhire, None)  # no key (a script): no deduplication
    assert calls(session, ShadowingCall, world.newhire.id) == 3


def test_the_same_supervised_submission_twice_is_not_a_duplicate_ticket(session, world):  # noqa: F811
    key = new_submission_key()
    first = supervised(session, world.newhire, key)
    assert supervised(session, world.newhire, key).id == first.id
    assert calls(session, SupervisedCall, world.newhire.id) == 1
    with pytest.raises(ValidationFailed, match="already logged a call with ticket 2610-0001"):
        supervised(session, world.newhire, new_submission_key())  # a new form with the same ticket


def test_a_key_is_one_new_hires_only(session, world):  # noqa: F811
    key = new_submission_key()
    shadowing(session, world.newhire, key)
    shadowing(session, world.other_newhire, key)
    assert calls(session, ShadowingCall, world.other_newhire.id) == 1


def test_anything_but_a_form_key_is_refused(session, world):  # noqa: F811
    for bad in ("short", "x" * 65, "has spaces in it here", 12345):
        with pytest.raises(ValidationFailed, match="out of date"):
            shadowing(session, world.newhire, bad)


# --------------------------------------------------------------------------- the pages


def widget(widgets, name):
    return next(w for w in widgets if (w.key or "").startswith(f"{name}."))


def open_page(engine, username, path):
    at = app_as(engine, username).run()
    at.switch_page(path).run()
    assert not errors_of(at), errors_of(at)
    return at


def test_saving_draws_a_fresh_form_with_a_new_key(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_shadowing.py")
    before = widget(at.text_area, "did_well").key
    widget(at.text_area, "did_well").input("Verified first.")
    widget(at.text_area, "learned").input("Loss first.")
    next(b for b in at.button if b.label == "Log this call").click().run()
    assert [s.value for s in at.success] == ["Call logged (1 so far)."]
    after = widget(at.text_area, "did_well")
    assert after.key != before and after.value == ""


def test_a_missing_answer_is_refused_beside_its_field_and_the_rest_is_kept(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_supervised.py")
    widget(at.text_input, "ticket").input("2611-9002")
    next(b for b in at.button if b.label == "Log this call").click().run()
    assert [e.value for e in at.error] == ["Write a short summary of the call."]
    assert widget(at.text_input, "ticket").value == "2611-9002"
    assert not at.success


LONG_COMMENT = "今天的来电很多，" * 188  # 1,504 characters


def test_a_too_long_check_in_comment_is_refused_beside_it_and_nothing_is_lost(demo_engine):
    at = open_page(demo_engine, "agent", "pages/wellbeing_checkin.py")
    assert "Up to 500 characters." in [c.value for c in at.caption]
    for radio in at.radio:
        radio.set_value(3 if radio.key.startswith("who5_") else 1)
    widget(at.text_area, "comment").input(LONG_COMMENT)
    at.button[0].click().run()
    assert not errors_of(at)
    assert [e.value for e in at.error] == [
        "Your comment has 1504 characters; the limit is 500. Please shorten it and send again: "
        "your answers are still here."]
    assert widget(at.text_area, "comment").value == LONG_COMMENT
    assert all(r.value is not None for r in at.radio)
    with Session(demo_engine) as session:
        actor = auth.actor_for(session, auth.find_user(session, "agent"))
        from portal import wellbeing
        assert not wellbeing.has_checked_in(session, actor)


def change_password(at, current, new, confirm=None):
    widget(at.text_input, "current").input(current)
    widget(at.text_input, "new").input(new)
    widget(at.text_input, "confirm").input(new if confirm is None else confirm)
    next(b for b in at.button if b.label == "Save password").click().run()
    return at


def test_the_password_rule_is_shown_before_typing_and_only_the_wrong_field_clears(demo_engine):
    at = open_page(demo_engine, "agent", "pages/account_settings.py")
    assert any(c.value.startswith("At least 10 characters (up to 128)") for c in at.caption)
    change_password(at, "not-my-password", "a-fresh-passphrase")
    assert [e.value for e in at.error] == ["Your current password is not correct."]
    assert widget(at.text_input, "current").value == ""
    assert widget(at.text_input, "new").value == "a-fresh-passphrase"
    widget(at.text_input, "current").input("academy-demo")
    widget(at.text_input, "confirm").input("a-fresh-passphrase")
    next(b for b in at.button if b.label == "Save password").click().run()
    assert not at.error and [s.value for s in at.success] == ["Password changed."]
    assert widget(at.text_input, "new").value == ""


def test_a_common_password_is_refused_beside_the_new_password(demo_engine):
    at = change_password(open_page(demo_engine, "agent", "pages/account_settings.py"), "academy-demo",
                         "Password123!")
    assert [e.value for e in at.error] == [
        "This password is on a list of commonly used passwords, the first ones anyone tries. "
        "Choose another: a longer phrase works well."]
    assert widget(at.text_input, "current").value == "academy-demo"
    assert widget(at.text_input, "new").value == "" and widget(at.text_input, "confirm").value == ""
