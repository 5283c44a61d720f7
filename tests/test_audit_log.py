"""The audit log answers questions: entries in words, filters over the whole log, paging, append-only."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from portal import audit, auth, users
from portal.audit import AuditLogIsAppendOnly
from portal.audit.search import PAGE_SIZE, AuditQuery, search
from portal.clock import local_today
from portal.errors import PermissionDenied
from portal.i18n import Translator
from portal.models import Attempt, AuditEntry, Exam, Team
from portal.quizzes import marking

EN, ZH = Translator("en"), Translator("zh-CN")


def _actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def test_who_changed_this_grade_reads_as_a_sentence(demo_session):
    trainer = _actor(demo_session, "trainer")
    attempt, exam = demo_session.exec(select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
                                      .where(Attempt.status == "graded", Exam.kind == "written")).first()
    learner = demo_session.get(auth.User, attempt.user_id)
    old = attempt.percent
    marking.override_grade(demo_session, trainer, attempt.id, 72.0, "Answer 4 was right after all")
    demo_session.commit()
    admin = _actor(demo_session, "admin")
    found = search(demo_session, admin, AuditQuery(action="exam.grade_overridden"), EN)
    assert found.entries.iloc[0]["what"] == (f"Wang Fang 王芳 changed {learner.display_name}'s grade on "
                                             f"{exam.title_en} from {old:g}% to 72%: Answer 4 was right after all")
    assert found.entries.iloc[0]["action"] == "Grade changed"
    zh = search(demo_session, admin, AuditQuery(action="exam.grade_overridden"), ZH).entries.iloc[0]
    assert zh["action"] == "修改成绩" and exam.title_zh in zh["what"]
    by_trainer = search(demo_session, admin, AuditQuery(actor="Wang Fang", action="exam.grade_overridden"), EN)
    assert by_trainer.total == 1
    assert search(demo_session, admin, AuditQuery(actor="Zhang Wei", action="exam.grade_overridden"), EN).total == 0


def test_team_leads_and_moves_name_people_and_teams(session):
    from tests.utils.factories import make_team, make_user
    from portal.roles import Role, SYSTEM

    a, b = make_team(session, "Mobile Team A"), make_team(session, "Broadband Team B")
    zhang = make_user(session, "zhang.wei", Role.LEAD)
    zhu = make_user(session, "zhu.qiang", Role.LEAD)
    chen = make_user(session, "chen.jie", Role.AGENT, team_id=a.id)
    admin = auth.actor_for(session, make_user(session, "boss", Role.ADMIN))
    users.set_team_leads(session, admin, a.id, [zhang.id])
    users.set_team_leads(session, admin, a.id, [zhu.id])
    users.assign(session, admin, chen.id, team_id=b.id, cohort_id=None, mentor_id=None)
    session.commit()
    words = list(search(session, admin, AuditQuery(), EN).entries["what"])
    assert words[0].startswith(f"{chen.display_name} moved from Mobile Team A to Broadband Team B from ")
    assert words[1].endswith(f"the leads of Mobile Team A: {zhang.display_name} → {zhu.display_name}")


def test_filters_dates_sign_ins_and_paging_over_the_whole_log(session):
    from tests.utils.factories import make_user
    from portal.roles import Role

    admin = auth.actor_for(session, make_user(session, "boss", Role.ADMIN))
    base = search(session, admin, AuditQuery(), EN).total  # what making the account wrote
    for n in range(PAGE_SIZE + 7 - base):
        audit.record(session, actor_id=admin.id, action="team.created", target=f"Team {n:03d}")
    audit.record(session, actor_id=admin.id, action="login.succeeded", target="boss")
    session.commit()
    first = search(session, admin, AuditQuery(), EN)
    assert first.total == PAGE_SIZE + 7 and len(first.entries) == PAGE_SIZE and first.pages == 2
    second = search(session, admin, AuditQuery(), EN, page=1)
    assert len(second.entries) == 7 and set(first.entries["id"]).isdisjoint(second.entries["id"])
    assert search(session, admin, AuditQuery(sign_ins=True), EN).total == PAGE_SIZE + 8
    assert search(session, admin, AuditQuery(text="Team 04"), EN).total == 10  # 040..049
    today = local_today()
    assert search(session, admin, AuditQuery(since=today, until=today), EN).total == PAGE_SIZE + 7
    assert search(session, admin, AuditQuery(until=today - timedelta(days=1)), EN).total == 0
    assert len(search(session, admin, AuditQuery(), EN, page_size=None).entries) == PAGE_SIZE + 7


def test_only_admins_read_the_log(session):
    from tests.utils.factories import make_user
    from portal.roles import Role

    for role in (Role.LEAD, Role.TRAINER, Role.AGENT, Role.MENTOR):
        with pytest.raises(PermissionDenied):
            search(session, auth.actor_for(session, make_user(session, f"u.{role}", role)), AuditQuery(), EN)


def test_the_log_is_append_only(session):
    audit.record(session, actor_id=None, action="team.created", target="T")
    session.commit()
    entry = session.exec(select(AuditEntry)).one()
    entry.target = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.exec(select(AuditEntry)).one())
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        session.execute(update(AuditEntry).values(target="x"))
    with pytest.raises(AuditLogIsAppendOnly):
        session.execute(delete(AuditEntry))
    session.rollback()
    assert session.exec(select(AuditEntry.target)).one() == "T"


def test_no_service_writes_to_the_log_except_record():
    """Source check: nothing in portal/ updates or deletes audit entries by hand."""
    import pathlib
    import re

    offenders = [str(path) for path in pathlib.Path("portal").rglob("*.py")
                 if re.search(r"(update|delete)\(\s*AuditEntry|audit_log\b.*(UPDATE|DELETE)", path.read_text())]
    assert offenders == []
