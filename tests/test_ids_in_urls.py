"""An id in a page's address that cannot be a row's id: "²" (str.isdigit() says yes, int() refuses it) and
10**12 (beyond an INTEGER column: PostgreSQL refuses the query). Each page reads it as no id, through one
helper (portal/ui/url.py: id_in_url, as_id), and shows its usual page or refusal, never an incident."""
import pytest

from tests.utils.apptest import app_as, problems_of

NOT_IDS = ["²", str(10 ** 12)]
# (viewer, page, the parameters that hold an id)
PAGES = [
    ("qa", "pages/qa_evaluate.py", ("call",)),
    ("agent", "pages/training_exams.py", ("attempt",)),
    ("agent", "pages/training_quizzes.py", ("attempt",)),
    ("trainer", "pages/contests_judging.py", ("contest", "contestant")),
    ("trainer", "pages/authoring_contests.py", ("contest",)),
    ("lead", "pages/team_coaching.py", ("agent",)),
    ("agent", "pages/training_quality.py", ("evaluation",)),
    ("trainer", "pages/team_cohort_board.py", ("person",)),
]


@pytest.mark.parametrize("raw", NOT_IDS)
@pytest.mark.parametrize("viewer,path,params", PAGES)
def test_an_id_that_cannot_be_one_is_read_as_none(demo_engine, viewer, path, params, raw):
    at = app_as(demo_engine, viewer).run()
    at.switch_page(path)
    for name in params:
        at.query_params[name] = raw
    at.run()
    assert not at.exception, at.exception
    assert not problems_of(at), problems_of(at)


@pytest.mark.parametrize("raw", NOT_IDS)
def test_an_inbox_page_number_that_is_no_number_shows_the_first_page(demo_engine, raw):
    at = app_as(demo_engine, "agent").run()
    at.switch_page("pages/inbox.py")
    at.query_params["page"] = raw
    at.run()
    assert not at.exception, at.exception
    assert not problems_of(at), problems_of(at)
