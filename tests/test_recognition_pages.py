"""The recognition pages through AppTest on the demo center: every role that sees them, both
languages; the thanks form refuses beside the field and saves once."""
import pytest
from sqlmodel import Session, func, select

from portal import auth
from portal.models import Thanks
from portal.ui.navigation import pages_for
from tests.utils.apptest import app_as, problems_of

MINE = ("pages/home.py", "pages/recognition.py", "pages/profile.py", "pages/admin_certificates.py",
        "pages/authoring_recertification.py", "pages/team_dashboard.py", "pages/team_cohort_board.py")
USERS = ("admin", "trainer", "lead", "agent", "newhire", "qa")


def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                                               "subheader") for e in getattr(at, kind))


def keyed(widgets, name, form="thanks"):
    return next(w for w in widgets if w.key and w.key.startswith(f"{name}.{form}."))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("username", USERS)
def test_the_recognition_pages_render_for_each_role_in_both_languages(demo_engine, username, language):
    with Session(demo_engine) as session:
        actor = auth.actor_for(session, auth.find_user(session, username))
    at = app_as(demo_engine, username, language=language).run()
    shown = {page.path for page in pages_for(actor)}
    assert "pages/recognition.py" in shown and "pages/profile.py" in shown
    assert ("pages/admin_certificates.py" in shown) == (username == "admin")
    star = "Chen Jie" if language == "en" else "服务之星"
    assert star in texts(at)  # the service star on everyone's Home
    for path in MINE:
        if path in shown:
            at.switch_page(path).run()
            assert not problems_of(at), f"{username} on {path} ({language}): {problems_of(at)}"


def test_the_agent_sees_the_badges_certificate_and_module_to_read_again(demo_engine):
    at = app_as(demo_engine, "agent").run()
    at.switch_page("pages/profile.py").run()
    shown = texts(at)
    assert "Graduated onboarding" in shown and "Three months without a critical miss" in shown
    assert "onboarding programme" in shown and "Verification code AA-" in shown
    assert "billing system" in shown.lower() or any("billing" in e.label.lower() for e in at.expander)


def test_the_lead_sees_counts_per_team_and_who_is_out_of_date(demo_engine):
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/recognition.py").run()
    counts = next(frame.value for frame in at.dataframe if "Received" in frame.value.columns)
    assert list(counts.columns) == ["Team", "Received", "Given"]
    at.switch_page("pages/team_dashboard.py").run()
    assert "Out of date after a module changed" in texts(at)


def send(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    return at


def test_a_too_long_thanks_is_refused_beside_the_message_keeps_the_text_then_saves_once(demo_engine):
    with Session(demo_engine) as session:
        before = session.exec(select(func.count()).select_from(Thanks)).one()
        colleague = auth.find_user(session, "huang.lei").id
    at = app_as(demo_engine, "agent", language="zh-CN").run()
    at.switch_page("pages/recognition.py").run()
    send(at, "发送感谢")
    assert "请选择要感谢的同事。" in texts(at) and "请写一句简短的留言。" not in texts(at)
    keyed(at.selectbox, "colleague").set_value(colleague)
    keyed(at.text_area, "message").input("谢" * 281)
    send(at, "发送感谢")
    assert "留言有 281 个字，请控制在 280 个字以内。" in texts(at)
    assert keyed(at.text_area, "message").value == "谢" * 281  # what was typed stays
    keyed(at.text_area, "message").input("谢谢你帮我解决了账单问题！")
    send(at, "发送感谢")
    assert "你的感谢已送达 Huang Lei 黄磊。" in texts(at)
    assert keyed(at.text_area, "message").value == ""  # a fresh form
    with Session(demo_engine) as session:
        assert session.exec(select(func.count()).select_from(Thanks)).one() == before + 1
