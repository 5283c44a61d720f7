"""The profile page for someone else (`?user=<id>`) through AppTest on the demo center, and the links to it
from the lead's team dashboard and cohort board and the mentor's mentees page; both languages."""
import pytest
from sqlmodel import Session, select

from portal import auth
from portal.models import User
from tests.utils.apptest import app_as, problems_of, texts_of

PROFILE = "pages/profile.py"


def user_id(engine, username: str) -> int:
    with Session(engine) as session:
        return auth.find_user(session, username).id


def profile_of(engine, viewer: str, user: str | None = None, *, raw: str | None = None, language: str | None = None):
    """The profile page as `viewer`, with `?user=` naming the person `user` (a username) or holding `raw`."""
    at = app_as(engine, viewer, language=language).run()
    at.switch_page(PROFILE)
    at.query_params["user"] = str(user_id(engine, user)) if user is not None else raw
    return at.run()


def profile_links(at) -> dict[str, str]:
    """The links to a profile on the page: label -> query string."""
    return {e.proto.label: e.proto.query_string for e in at.get("page_link") if e.proto.page == "profile"}


def shown(at) -> str:
    return "\n".join(texts_of(at))


@pytest.mark.parametrize("language, title, badge, hidden", [
    ("en", "Profile of Chen Jie 陈杰", "Graduated onboarding", "Certificates are shown to the person who holds them"),
    ("zh-CN", "Chen Jie 陈杰 的档案", "完成入职培训", "证书仅对持有人本人和管理员显示"),
])
def test_the_lead_opens_a_team_members_profile_in_both_languages(demo_engine, language, title, badge, hidden):
    at = profile_of(demo_engine, "lead", "agent", language=language)
    assert not problems_of(at), problems_of(at)
    assert [e.value for e in at.title] == [title]
    text = shown(at)
    assert badge in text and hidden in text
    assert "Verification code" not in text and "验证码" not in text  # the certificates are the holder's
    assert not [b for b in at.button if b.key and b.key.startswith("reread-")]  # nobody reads again for another
    assert "Read again after a change" not in text and not at.expander


@pytest.mark.parametrize("language, reason", [
    ("en", "this person is none of them"),
    ("zh-CN", "此人不在其中"),
])
def test_the_lead_of_another_team_is_refused_politely(demo_engine, language, reason):
    at = profile_of(demo_engine, "zhao.lei", "agent", language=language)  # Chen Jie is in Mobile Team A, not Zhao Lei's
    assert not at.exception
    assert [reason in e.value for e in at.error] == [True]
    assert "Chen Jie" not in shown(at)  # not even the name
    assert list(profile_links(at).values()) == [""]  # the way back to one's own profile


@pytest.mark.parametrize("viewer, user", [("agent", "tang.mei"), ("mentor", "agent"), ("sun.li", "newhire"),
                                          ("trainer", "agent")])
def test_a_colleague_or_the_mentor_of_others_is_refused(demo_engine, viewer, user):
    at = profile_of(demo_engine, viewer, user)
    assert not at.exception and len(at.error) == 1 and "none of them" in at.error[0].value


def test_a_made_up_person_is_refused_like_a_real_one(demo_engine):
    at = profile_of(demo_engine, "lead", raw=str(2 ** 31 - 1))  # the largest id a row can have
    assert not at.exception and len(at.error) == 1 and "none of them" in at.error[0].value


def test_the_mentor_opens_a_mentees_profile(demo_engine):
    at = profile_of(demo_engine, "mentor", "newhire")
    assert not problems_of(at), problems_of(at)
    assert [e.value for e in at.title] == ["Profile of Li Na 李娜"]


@pytest.mark.parametrize("user", ["abc", "²", "", "0", str(10 ** 12)])  # 10**12: beyond any row's id
def test_a_user_that_is_no_number_shows_ones_own_profile(demo_engine, user):
    at = profile_of(demo_engine, "agent", raw=user)
    assert not problems_of(at), problems_of(at)
    assert [e.value for e in at.title] == ["My profile"] and "Graduated onboarding" in shown(at)


def test_ones_own_id_in_the_url_is_ones_own_profile_with_certificates_and_reading_again(demo_engine):
    at = profile_of(demo_engine, "agent", "agent")
    assert not problems_of(at), problems_of(at)
    assert [e.value for e in at.title] == ["My profile"] and "Verification code AA-" in shown(at)


def test_the_team_dashboard_links_the_chosen_member_to_their_profile(demo_engine):
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/team_dashboard.py").run()
    assert not problems_of(at), problems_of(at)
    chosen = at.selectbox(key="dash_agent")
    assert profile_links(at) == {f"Profile of {chosen.options[chosen.index]}": f"user={chosen.value}"}


def test_the_out_of_date_list_links_each_person_for_their_lead(demo_engine):
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/team_dashboard.py").run()
    [late] = [f.value for f in at.dataframe if "Module" in f.value.columns]
    with Session(demo_engine) as session:
        ids = [session.exec(select(User.id).where(User.display_name == name)).one() for name in late["Person"]]
    assert late["Profile"].tolist() == [f"profile?user={i}" for i in ids]
    at = app_as(demo_engine, "trainer").run()
    at.switch_page("pages/team_dashboard.py").run()
    [late] = [f.value for f in at.dataframe if "Module" in f.value.columns]
    assert "Profile" not in late.columns  # a trainer opens no one's profile


def test_the_coaching_page_links_the_chosen_agent_for_their_lead(demo_engine):
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/team_coaching.py").run()
    chosen = at.selectbox(key="coach_agent")
    assert not problems_of(at), problems_of(at)
    assert profile_links(at) == {f"Profile of {chosen.options[chosen.index]}": f"user={chosen.value}"}


@pytest.mark.parametrize("path", ["pages/team_dashboard.py", "pages/team_coaching.py", "pages/team_cohort_board.py"])
def test_the_trainer_sees_the_team_pages_without_profile_links(demo_engine, path):
    at = app_as(demo_engine, "trainer").run()
    at.switch_page(path).run()
    assert not problems_of(at) and profile_links(at) == {}


def test_the_mentees_page_links_each_mentee(demo_engine):
    at = app_as(demo_engine, "mentor", language="zh-CN").run()
    at.switch_page("pages/team_mentees.py").run()
    assert not problems_of(at), problems_of(at)
    links = profile_links(at)
    for username, name in (("newhire", "Li Na 李娜"), ("wu.hao", "Wu Hao 吴浩"), ("he.tao", "He Tao 何涛")):
        assert links[f"{name} 的档案"] == f"user={user_id(demo_engine, username)}"
    assert not any("Gao Yan" in label for label in links)  # Sun Li's mentee


def test_the_cohort_board_links_the_chosen_new_hire_for_their_lead(demo_engine):
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/team_cohort_board.py").run()
    assert not problems_of(at), problems_of(at)
    [(label, query)] = profile_links(at).items()
    assert label.startswith("Profile of ") and query.startswith("user=")


def test_an_id_beyond_any_rows_in_the_learning_records_url_is_no_incident(demo_engine):
    """The learning record reads `?user=` through the same helper: on PostgreSQL 10**12 was a database error."""
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/training_learning_record.py")
    at.query_params["user"] = str(10 ** 12)
    at.run()
    assert not problems_of(at), problems_of(at)
