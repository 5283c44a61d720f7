"""The onboarding pages driven through Streamlit's AppTest on the demo center: each role does its job."""
import pytest
from sqlmodel import Session, func, select

from portal import auth, onboarding
from portal.clock import local_today
from portal.models import ShadowingCall, StageSignoff
from portal.onboarding.rules import CHECKLIST, MET, ReviewOutcome
from tests.utils.apptest import app_as, errors_of


def open_page(engine, username, path, language=None):
    at = app_as(engine, username, language=language).run()
    at.switch_page(path).run()
    assert not errors_of(at), errors_of(at)
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def journey(engine, username):
    with Session(engine) as session:
        actor = auth.actor_for(session, auth.find_user(session, username))
        return onboarding.journey(session, actor, actor.id)


def form_key(at, form: str, name: str) -> str:
    """The widget key of a RecordForm field as drawn now (it carries the form's idempotency key)."""
    prefix = f"{name}.{form}."
    widgets = [*at.text_area, *at.text_input, *at.selectbox, *at.date_input]
    return next(w.key for w in widgets if (w.key or "").startswith(prefix))


def texts(at) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.caption, *at.success, *at.error, *at.warning, *at.info])


def page_links(at) -> dict[str, tuple[str, str]]:
    return {e.proto.label: (e.proto.page, e.proto.query_string) for e in at.get("page_link")}


def test_newhire_reads_a_module_and_completes_it(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_onboarding.py")
    assert page_links(at)["Read next: “Converged services: how our home bundles work”"] == \
        ("training_onboarding", "module=product-bundles")
    at.button(key="read-product-bundles").click().run()
    assert at.query_params["module"] == "product-bundles"  # in the URL: a reload or Back comes back here
    assert any(m.value.startswith("# Converged services") for m in at.markdown)  # the English body
    at.number_input(key="minutes-product-bundles").set_value(9)
    button(at, "Mark as complete").click().run()
    assert not errors_of(at)
    assert [s.value for s in at.success] == ["“Converged services: how our home bundles work” completed."]
    assert "Required modules read: 3 of 5" in texts(at)
    module = next(m for m in journey(demo_engine, "newhire").stage("product").modules if m.spec.id == "product-bundles")
    assert module.done and module.minutes_spent == 9 and module.completed_version == module.spec.version


def test_a_module_in_the_url_opens_in_the_reader_and_closes(demo_engine):
    at = app_as(demo_engine, "newhire").run()
    at.query_params["module"] = "product-roaming"
    at.switch_page("pages/training_onboarding.py").run()
    assert not errors_of(at)
    assert any(m.value.startswith("# International roaming") for m in at.markdown)
    button(at, "Close").click().run()
    assert "module" not in at.query_params
    assert not any(m.value.startswith("# International roaming") for m in at.markdown)


def test_a_module_the_programme_does_not_have_is_refused_in_words(demo_engine):
    at = app_as(demo_engine, "newhire").run()
    at.query_params["module"] = "no-such-module"
    at.switch_page("pages/training_onboarding.py").run()
    assert [w.value for w in at.warning] == ["There is no module “no-such-module” in the course files."]


@pytest.mark.parametrize("minutes", [-5, 0, 99999])
def test_minutes_out_of_range_are_refused_beside_the_field_and_kept(demo_engine, minutes):
    at = open_page(demo_engine, "newhire", "pages/training_onboarding.py")
    at.button(key="read-product-bundles").click().run()
    at.number_input(key="minutes-product-bundles").set_value(minutes)
    button(at, "Mark as complete").click().run()
    assert [e.value for e in at.error] == ["Minutes spent must be a whole number from 1 to 240."]
    form = next(f for f in at.get("form") if f.proto.form.form_id == "complete-product-bundles")
    assert [e.value for e in form.error] == ["Minutes spent must be a whole number from 1 to 240."]  # beside it
    assert at.number_input(key="minutes-product-bundles").value == minutes  # what was typed stays
    module = next(m for m in journey(demo_engine, "newhire").stage("product").modules if m.spec.id == "product-bundles")
    assert not module.done


def test_newhire_reads_the_module_in_chinese(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_onboarding.py", language="zh-CN")
    assert [t.value for t in at.title] == ["我的入职培训"]
    at.button(key="read-product-bundles").click().run()
    assert any(m.value.startswith("# 融合业务：家庭融合套餐") for m in at.markdown)
    assert not any(m.value.startswith("# Converged services") for m in at.markdown)


def test_the_quiz_button_hands_the_quiz_id_to_the_quizzes_page(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_onboarding.py")
    at.button(key="quiz-product-bundles").click().run()
    assert at.query_params.get("quiz") == "practice-product"
    # the quizzes page took the id (and consumed it): the product practice quiz is open
    assert "open_quiz" not in at.session_state
    assert not errors_of(at)


def test_newhire_logs_a_shadowing_call_and_the_count_moves(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_shadowing.py")
    assert "0 of 30 calls logged" in [p.proto.text for p in at.get("progress")][0]
    button(at, "Log this call").click().run()  # empty form
    assert [e.value for e in at.error] == ["Write what the agent did well."]
    at.text_area(key=form_key(at, "shadowing_call", "did_well")).input("Suspended the SIM first, then verified.")
    at.text_area(key=form_key(at, "shadowing_call", "learned")).input("Loss first, always.")
    at.selectbox(key=form_key(at, "shadowing_call", "type")).set_value("loss_report")
    button(at, "Log this call").click().run()
    assert not errors_of(at) and [s.value for s in at.success] == ["Call logged (1 so far)."]
    assert "1 of 30 calls logged" in [p.proto.text for p in at.get("progress")][0]
    assert at.text_area(key=form_key(at, "shadowing_call", "did_well")).value == ""  # the form is cleared for the next call


def test_an_incomplete_call_is_refused_with_nothing_saved_and_nothing_lost(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_shadowing.py")
    assert at.date_input(key=form_key(at, "shadowing_call", "date")).max == local_today()  # the picker offers no future date
    at.text_area(key=form_key(at, "shadowing_call", "did_well")).input("Verified before opening the bill.")
    button(at, "Log this call").click().run()
    assert [e.value for e in at.error] == ["Write what you learned from the call."]
    assert at.text_area(key=form_key(at, "shadowing_call", "did_well")).value == "Verified before opening the bill."
    with Session(demo_engine) as session:
        newhire = auth.find_user(session, "newhire")
        assert session.exec(select(func.count()).where(ShadowingCall.user_id == newhire.id)).one() == 0


def test_newhire_logs_a_supervised_call(demo_engine):
    at = open_page(demo_engine, "newhire", "pages/training_supervised.py")
    at.text_input(key=form_key(at, "supervised_call", "ticket")).input("2611-9001")
    at.text_area(key=form_key(at, "supervised_call", "summary")).input("Plan change read back and confirmed by SMS.")
    button(at, "Log this call").click().run()
    assert [s.value for s in at.success] == [
        "Call with ticket 2611-9001 logged; it now waits for your mentor's review."]


def test_mentor_reviews_the_oldest_ticket_and_signs_off_a_stage(demo_engine):
    at = open_page(demo_engine, "mentor", "pages/team_mentees.py")
    assert "Tickets to review (4, oldest first)" in [h.value for h in at.subheader]
    first = onboarding_first_ticket(demo_engine)
    for area in CHECKLIST:
        at.radio(key=f"review-{first}-{area}").set_value(MET)
    at.radio(key=f"review-{first}-outcome").set_value(ReviewOutcome.PASSED)
    button(at, "Save review").click().run()
    assert not errors_of(at)
    assert at.success[0].value.startswith("Review of ticket ") and "Zhou Min" in at.success[0].value
    assert "Tickets to review (3, oldest first)" in [h.value for h in at.subheader]
    button(at, "Sign off Week 2 on the floor: supervised calls as passed").click().run()
    assert at.success[0].value == "Wu Hao 吴浩: Week 2 on the floor: supervised calls signed off as passed."
    assert journey_status(demo_engine, "wu.hao") == "graduated"


def journey_status(engine, username):
    with Session(engine) as session:
        trainer = auth.actor_for(session, auth.find_user(session, "trainer"))
        return onboarding.journey(session, trainer, auth.find_user(session, username).id).status.value


def test_a_rework_without_comment_is_refused_in_the_review_form(demo_engine):
    at = open_page(demo_engine, "mentor", "pages/team_mentees.py")
    first = onboarding_first_ticket(demo_engine)
    for area in CHECKLIST:
        at.radio(key=f"review-{first}-{area}").set_value(MET)
    at.radio(key=f"review-{first}-outcome").set_value(ReviewOutcome.REWORK)
    button(at, "Save review").click().run()
    assert [e.value for e in at.error] == ["Say in the comment what needs rework."]
    assert "Tickets to review (4, oldest first)" in [h.value for h in at.subheader]


def test_an_untouched_review_is_refused_naming_each_blank_area(demo_engine):
    """Issue 12 item 10: every radio started on "met" and "passed", so an untouched review was saved."""
    at = open_page(demo_engine, "mentor", "pages/team_mentees.py")
    first = onboarding_first_ticket(demo_engine)
    assert all(at.radio(key=f"review-{first}-{area}").value is None for area in (*CHECKLIST, "outcome"))
    button(at, "Save review").click().run()
    assert not errors_of(at)
    assert any("5 not chosen yet (Greeting, Verification, Accuracy, Resolution, Closing)" in e.value
               for e in at.error)
    assert sum("Not chosen yet" in m.value for m in at.markdown) == 6
    assert "Tickets to review (4, oldest first)" in [h.value for h in at.subheader]


def onboarding_first_ticket(engine) -> int:
    with Session(engine) as session:
        mentor = auth.actor_for(session, auth.find_user(session, "mentor"))
        return onboarding.review_queue(session, mentor)[0].call_id


def test_mentor_asks_a_mentee_to_repeat_with_a_reason(demo_engine):
    at = open_page(demo_engine, "mentor", "pages/team_mentees.py")
    he_tao = user_id(demo_engine, "he.tao")
    at.selectbox(key="mentee_pick").set_value(he_tao).run()
    key = f"signoff-{he_tao}-supervised_calls"
    record = next(b for b in at.button if b.key == f"FormSubmitter:{key}-decide-Record decision")
    record.click().run()
    assert [e.value for e in at.error] == ["Give a reason: the new hire will read it."]
    at.text_area(key=f"{key}-reason").input("Take ten more calls with me listening in this week.")
    next(b for b in at.button if b.key == f"FormSubmitter:{key}-decide-Record decision").click().run()
    assert not errors_of(at)
    assert at.success[0].value == \
        "He Tao 何涛: Week 2 on the floor: supervised calls, decision recorded: Asked to repeat."
    with Session(demo_engine) as session:
        row = session.exec(select(StageSignoff).order_by(StageSignoff.id.desc())).first()
        assert (row.user_id, row.outcome, row.stage_key) == (he_tao, "repeat", "supervised_calls")


def user_id(engine, username) -> int:
    with Session(engine) as session:
        return auth.find_user(session, username).id


@pytest.mark.parametrize("language,title,flag", [("en", "Cohort board", "Behind schedule"),
                                                 ("zh-CN", "批次看板", "进度落后")])
def test_trainer_sees_the_cohort_board_with_flags_and_an_export(demo_engine, language, title, flag):
    at = open_page(demo_engine, "trainer", "pages/team_cohort_board.py", language=language)
    assert [t.value for t in at.title] == [title]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[flag] == "1" and len(at.dataframe[0].value) == 9
    assert at.get("download_button"), "no CSV export"


def test_lead_sees_only_their_team_and_cannot_sign_off(demo_engine):
    at = open_page(demo_engine, "lead", "pages/team_cohort_board.py")
    assert len(at.dataframe[0].value) == 5
    assert not [b for b in at.button if b.label.startswith("Sign off")]


def test_trainer_overrides_a_requirement_on_the_courses_page(demo_engine):
    at = open_page(demo_engine, "trainer", "pages/authoring_courses.py")
    assert at.success[0].value == "All course files load: 5 stages, 17 modules."
    shadowing = next(n for n in at.number_input if n.label == "Minimum shadowing calls" and n.value == 30)
    shadowing.set_value(25)
    form = next(b for b in at.button if b.label == "Save" and "requirements-shadowing" in b.key)
    form.click().run()
    assert not errors_of(at)
    assert at.success[0].value == "Requirements of Week 1 on the floor: shadowing saved."
    assert "Minimum shadowing calls: 25 (portal)" in at.dataframe[0].value.to_string()


def test_broken_course_files_are_listed_on_the_courses_page(demo_engine, tmp_path, monkeypatch):
    import shutil

    from portal.settings import get_settings

    root = tmp_path / "courses"
    shutil.copytree(get_settings().courses_dir, root)
    module = root / "2-product" / "product-roaming.md"
    module.write_text(module.read_text(encoding="utf-8").replace("  zh-CN: ", "  zh-TW: ", 1), encoding="utf-8")
    monkeypatch.setenv("COURSES_DIR", str(root))
    get_settings.cache_clear()
    at = open_page(demo_engine, "trainer", "pages/authoring_courses.py")
    assert at.error[0].value.startswith("2 problems in the course files")
    problems = at.dataframe[0].value
    assert "courses/2-product/product-roaming.md" in problems.iloc[:, 0].tolist()


def test_every_text_the_pages_build_from_a_value_exists_in_both_languages():
    """Keys made from values (f"onboarding.status.{status}") escape tests/test_i18n.py's literal scan."""
    from portal.courses import STAGE_KEYS
    from portal.i18n import LANGUAGES, catalog
    from portal.onboarding import JourneyStatus
    from portal.onboarding.programme import REQUIREMENT_FIELDS
    from portal.onboarding.rules import (CALL_TYPES, CHECK_NAMES, CHECKLIST, MARKS, ReviewOutcome, SignoffOutcome,
                                         StageStatus)
    from portal.ui.onboarding import FLAG_SYMBOL

    families = {"check": CHECK_NAMES, "status": list(StageStatus), "journey": list(JourneyStatus),
                "call_type": CALL_TYPES, "checklist": CHECKLIST, "mark": MARKS, "review_outcome": list(ReviewOutcome),
                "outcome": list(SignoffOutcome), "requirement": REQUIREMENT_FIELDS, "flag": list(FLAG_SYMBOL),
                "stage_short": STAGE_KEYS, "authoring.source": ["file", "database"]}
    keys = {f"onboarding.{family}.{value}" for family, values in families.items() for value in values}
    for language in LANGUAGES:
        assert keys <= set(catalog(language)), sorted(keys - set(catalog(language)))


def test_mentor_reads_a_mentees_questions_in_the_shadowing_log(demo_engine):
    at = open_page(demo_engine, "mentor", "pages/team_mentees.py")
    at.selectbox(key="mentee_pick").set_value(user_id(demo_engine, "zhou.min")).run()
    assert "Shadowing log (30 calls)" in [e.label for e in at.expander]
    log = next(d.value for d in at.dataframe if "questions" in d.value.columns)
    assert "What if the caller can't pass verification at all?" in log["questions"].tolist()


# --------------------------------------------------------------------------- the person picked is in the URL


def open_with_params(engine, username, path, **params):
    at = app_as(engine, username).run()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(path).run()
    assert not errors_of(at), errors_of(at)
    return at


@pytest.mark.parametrize("path,key", [("pages/team_mentees.py", "mentee_pick"),
                                      ("pages/team_cohort_board.py", "board_pick")])
def test_the_picked_person_goes_into_the_url_and_a_link_picks_them(demo_engine, path, key):
    """Picking writes `?person=`; a reload or a shared link reads it back (Back: tests/e2e)."""
    he_tao, xu_jing = user_id(demo_engine, "he.tao"), user_id(demo_engine, "xu.jing")
    at = open_page(demo_engine, "mentor" if "mentees" in path else "trainer", path)
    at.selectbox(key=key).set_value(xu_jing).run()
    assert at.query_params["person"] == str(xu_jing)
    at = open_with_params(demo_engine, "mentor" if "mentees" in path else "trainer", path, person=str(he_tao))
    assert at.selectbox(key=key).value == he_tao
    assert any(b.key == f"signoff-{he_tao}-supervised_calls-pass" for b in at.button)  # his stage, his decision


def _crowd_the_newest_cohort(engine, count: int) -> int:
    """`count` more new hires in the demo's newest cohort (straight into the tables); its id."""
    from portal.models import Cohort, User, UserRole

    with Session(engine) as session:
        cohort = session.exec(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.name)).first()
        for n in range(count):
            user = User(username=f"zz.hire{n:03d}", display_name=f"Zz Hire {n:03d}", password_hash="x",
                        cohort_id=cohort.id)
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role="newhire"))
        session.commit()
        return cohort.id


def test_the_board_shows_one_page_of_the_newest_cohort_and_keeps_filters_in_the_url(demo_engine):
    """Issue 15: the newest cohort and 50 rows by default; Next, a filter and a link go through the URL."""
    cohort_id = _crowd_the_newest_cohort(demo_engine, 60)
    at = open_page(demo_engine, "trainer", "pages/team_cohort_board.py")
    assert at.selectbox(key="board_cohort").value == cohort_id
    total = int(next(m.value for m in at.metric if m.label == "New hires").replace(",", ""))
    assert total > 60 and len(at.dataframe[0].value) == 50
    assert any(c.value.startswith("Flags are counted among the 50 new hires on this page") for c in at.caption)
    button(at, "Next").click().run()
    assert at.query_params["page"] == "2" and len(at.dataframe[0].value) == total - 50
    at.toggle(key="board_only_flagged").set_value(True).run()
    assert at.query_params["flagged"] == "1" and "page" not in at.query_params
    at.selectbox(key="board_cohort").select_index(1).run()  # All cohorts
    assert at.query_params["cohort"] == "all"
    linked = open_with_params(demo_engine, "trainer", "pages/team_cohort_board.py", cohort="all", page="2",
                              stalled="20")
    assert linked.selectbox(key="board_cohort").value == "all"
    assert linked.number_input(key="board_stalled_days").value == 20
    assert next(c.value for c in linked.caption if c.value.startswith("Rows ")).startswith("Rows 51–")


def test_a_link_to_someone_the_viewer_may_not_see_is_refused(demo_engine):
    """The lead of Mobile Team A follows a link to a Broadband Team B new hire: the service refuses it."""
    with Session(demo_engine) as session:
        lead = auth.actor_for(session, auth.find_user(session, "lead"))
        visible = {j.user_id for j in onboarding.visible_journeys(session, lead)}
        trainer = auth.actor_for(session, auth.find_user(session, "trainer"))
        hidden = next(j for j in onboarding.visible_journeys(session, trainer) if j.user_id not in visible)
    at = open_with_params(demo_engine, "lead", "pages/team_cohort_board.py", person=str(hidden.user_id))
    assert [w.value for w in at.warning] == [
        "You can only see the onboarding of your own mentees, your teams' new hires, or your own."]
    assert at.selectbox(key="board_pick").value in visible
    at = open_with_params(demo_engine, "lead", "pages/team_cohort_board.py", person="nobody")
    assert [w.value for w in at.warning] == ["No such user (nobody)."]
