"""The exam pages in-process (AppTest) on the demo center."""
from sqlmodel import Session, select

from portal.models import Attempt, Exam, User
from tests.utils.apptest import app_as, errors_of


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(str(c.value) for c in at.caption)


def test_newhire_starts_an_exam_and_sees_the_clock_continue(demo_engine):
    at = app_as(demo_engine, "newhire").run()
    at.switch_page("pages/training_exams.py").run()
    assert not errors_of(at)
    assert "Open now" in [s.value for s in at.subheader]
    start = next(b for b in at.button if b.label == "Start exam")
    start.click().run()
    assert not errors_of(at), errors_of(at)
    assert "Time left" in [m.label for m in at.metric]
    with Session(demo_engine) as session:
        user = session.exec(select(User).where(User.username == "newhire")).one()
        running = session.exec(select(Attempt).where(Attempt.user_id == user.id,
                                                     Attempt.status == "in_progress")).one()
    # a new session (a browser refresh) lists the same attempt with its time left, not a new one
    again = app_as(demo_engine, "newhire").run()
    again.switch_page("pages/training_exams.py").run()
    assert "In progress" in [s.value for s in again.subheader]
    assert "Continue" in [b.label for b in again.button]
    with Session(demo_engine) as session:
        assert session.exec(select(Attempt).where(Attempt.user_id == user.id,
                                                  Attempt.status == "in_progress")).one().id == running.id


def test_an_attempt_whose_time_ran_out_is_graded_when_the_page_opens(demo_engine):
    """The page grades it first (a write, retried when busy), then reads: the sitting shows "time is up"."""
    at = app_as(demo_engine, "newhire").run()
    at.switch_page("pages/training_exams.py").run()
    next(b for b in at.button if b.label == "Start exam").click().run()
    with Session(demo_engine) as session:
        running = session.exec(select(Attempt).where(Attempt.status == "in_progress")).one()
        running.deadline_at = running.started_at
        session.add(running)
        session.commit()
        attempt_id = running.id
    at.run()
    assert not errors_of(at), errors_of(at)
    assert [w.value for w in at.warning][:1] == [
        "The time for this attempt is up; it was submitted with the answers saved in time."]
    with Session(demo_engine) as session:
        assert session.get(Attempt, attempt_id).status in ("graded", "needs_marking")


def test_newhire_results_respect_review_options(demo_engine):
    at = app_as(demo_engine, "newhire").run()
    at.switch_page("pages/training_exams.py").run()
    assert "Results" in [s.value for s in at.subheader]
    # the practical's marks are shown only after it closes
    assert "Marks are shown after the exam closes" in texts(at)


def waiting_practicals(engine) -> list[Attempt]:
    with Session(engine) as session:
        practical = session.exec(select(Exam).where(Exam.code == "practical-roleplay-q1")).one()
        return session.exec(select(Attempt).where(Attempt.exam_id == practical.id,
                                                  Attempt.status == "needs_marking")).all()


def test_trainer_marks_the_waiting_practical_only_once_every_item_is_scored(demo_engine):
    """Issue 12 item 10: the sheet started at full marks, so "Save marks" untouched passed the learner."""
    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_marking.py").run()
    assert not errors_of(at)
    assert at.selectbox(key="mark_pick").value is not None
    sheet = [c for c in at.segmented_control if c.key.startswith("p")]
    assert len(sheet) == 17 and all(c.value is None for c in sheet)  # blank, nothing decided for the marker
    next(b for b in at.button if b.label == "Save marks").click().run()
    assert not errors_of(at), errors_of(at)
    assert any("Score every item before saving: 17 not scored yet" in e.value for e in at.error)
    assert sum("Not scored yet" in m.value for m in at.markdown) == 17  # named beside each item
    assert len(waiting_practicals(demo_engine)) == 1
    for control in sheet[:-1]:
        at.segmented_control(key=control.key).set_value(0.0)
    at.run()
    assert sum("Not scored yet" in m.value for m in at.markdown) == 1  # the one still blank
    next(b for b in at.button if b.label == "Save marks").click().run()
    assert len(waiting_practicals(demo_engine)) == 1
    last = sheet[-1]
    at.segmented_control(key=last.key).set_value(0.0).run()
    next(b for b in at.button if b.label == "Save marks").click().run()
    assert not errors_of(at) and not at.error, [e.value for e in at.error]
    assert waiting_practicals(demo_engine) == []


def test_item_analysis_page_shows_test_figures_and_chart(demo_engine):
    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_item_analysis.py").run()
    assert not errors_of(at)
    labels = [m.label for m in at.metric]
    assert "Cronbach's alpha" in labels and "Mean" in labels
    assert at.dataframe


def test_authoring_page_checks_pool_size(demo_engine):
    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_exams.py").run()
    assert not errors_of(at)
    with Session(demo_engine) as session:
        product = session.exec(select(Exam).where(Exam.code == "written-product-q1")).one()
    at.selectbox(key="exam_pick").set_value(product.id).run()
    assert not errors_of(at)
    assert any("published questions match" in s.value for s in at.success)


def test_authoring_page_refuses_bad_exam_clearly(demo_engine):
    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_exams.py").run()
    next(b for b in at.button if b.label == "Create exam").click().run()
    assert not errors_of(at)
    assert at.error and "Code" in at.error[0].value


def test_creating_an_exam_opens_it_and_leaves_the_new_form_blank(demo_engine):
    """Issue 12 item 12: after "Create exam" the New exam form stayed filled with its Create button."""
    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/authoring_exams.py").run()
    at.text_input(key="exam0_code").input("roaming-check")
    at.text_input(key="exam0_ten").input("Roaming check")
    at.text_input(key="exam0_tzh").input("漫游小测")
    bank = at.multiselect(key="exam0_qs")
    bank.set_value(bank.options[:2] if isinstance(bank.options[0], str) else []).run()
    next(b for b in at.button if b.label == "Create exam").click().run()
    assert not errors_of(at) and not at.error, [e.value for e in at.error]
    with Session(demo_engine) as session:
        created = session.exec(select(Exam).where(Exam.code == "roaming-check")).all()
    assert len(created) == 1
    assert at.selectbox(key="exam_pick").value == created[0].id  # the new exam is open for changes
    assert "Create exam" not in [b.label for b in at.button]
    at.selectbox(key="exam_pick").set_value(0).run()  # New exam again: blank
    assert at.text_input(key="exam0_code").value == "" and at.text_input(key="exam0_ten").value == ""


def test_the_exam_list_shows_words_not_raw_values(demo_engine):
    for language, raw in (("en", None), ("zh-CN", ("Archived", "Written", "Practical"))):
        at = app_as(demo_engine, "trainer", language=language).run()
        at.switch_page("pages/authoring_exams.py").run()
        table = at.dataframe[0].value
        cells = {str(v) for v in table.to_numpy().ravel()}
        assert not cells & {"None", "nan", "NaT", "archived", "written", "practical", "published", "draft"}
        if raw:
            assert not cells & set(raw)
        states = list(table.iloc[:, 0])
        assert states.index(states[-1]) > 0 and states[0] in ("Open", "开放中")


def test_pages_in_chinese(demo_engine):
    for username, path in (("newhire", "pages/training_exams.py"), ("trainer", "pages/authoring_marking.py"),
                           ("trainer", "pages/authoring_item_analysis.py"), ("trainer", "pages/authoring_exams.py")):
        at = app_as(demo_engine, username, language="zh-CN").run()
        at.switch_page(path).run()
        assert not errors_of(at), (path, errors_of(at))
