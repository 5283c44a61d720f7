"""Certificates and recertification through their services, on SQLite and PostgreSQL: issuing once
per achievement, the PDF in both languages, looking a code up, and reading a changed module again."""
import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import func, select

from portal.certificates import recert, records
from portal.certificates.issue import expiry_for, issue_certificate, normalized_code
from portal.certificates.pdf import certificate_pdf
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Certificate, ModuleProgress, ModuleVersionSeen
from portal.onboarding.programme import current_programme
from portal.roles import Role
from portal.todo import todo_for
from tests.utils.factories import make_team, make_user, record_practice_score

pypdf = pytest.importorskip("pypdf")
ACHIEVED = date(2026, 11, 20)
MODULE = "systems-billing"


@pytest.fixture
def people(session):
    team = make_team(session, "Mobile A")
    return dict(admin=make_user(session, "ad.min", Role.ADMIN), trainer=make_user(session, "train.er", Role.TRAINER),
                lead=make_user(session, "le.ad", Role.LEAD),
                agent=make_user(session, "ag.ent", Role.AGENT, team_id=team.id),
                other=make_user(session, "oth.er", Role.AGENT, team_id=team.id))


def issue(session, user_id, source="contest:7:winner", **kw):
    return issue_certificate(session, user_id, "contest", title_en="Knowledge contest: winner",
                             title_zh="知识竞赛：冠军", achieved_on=ACHIEVED, source_key=source, **kw)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


def test_issue_certificate_is_idempotent_by_source_key_with_a_code_each(session, people):
    first = issue(session, people["agent"].id)
    again = issue(session, people["agent"].id)
    other = issue(session, people["agent"].id, source="contest:8:winner")
    assert again.id == first.id and other.code != first.code
    assert session.exec(select(func.count()).select_from(Certificate)).one() == 2
    with pytest.raises(ValueError):
        issue_certificate(session, people["agent"].id, "", title_en="x", title_zh="x", achieved_on=ACHIEVED,
                          source_key="x")


def test_a_certificate_about_to_lapse_is_on_its_holders_list_from_30_days_before(session, people):
    row = issue(session, people["agent"].id, expires_on=date(2026, 12, 31))

    def lapsing(today):
        return [(i.kind, i.due, dict(i.query)) for i in todo_for(session, people["agent"], today=today)
                if i.kind == "certificate_expiry"]

    assert lapsing(date(2026, 11, 30)) == []
    assert lapsing(date(2026, 12, 1)) == [("certificate_expiry", date(2026, 12, 31), {"certificate": str(row.id)})]
    assert lapsing(date(2027, 1, 5))  # lapsed: still listed, overdue


def test_expiry_counts_whole_months_and_keeps_the_end_of_short_months():
    assert expiry_for("onboarding", date(2026, 1, 31)) == date(2028, 1, 31)
    assert expiry_for("onboarding", date(2024, 2, 29)) == date(2026, 2, 28)
    assert expiry_for("contest", ACHIEVED) is None


def test_an_admin_looks_a_code_up_however_it_is_typed_and_nobody_else_may(session, people):
    row = issue(session, people["agent"].id)
    typed = " " + row.code.lower().replace("-", " ") + " "
    assert normalized_code(typed) == row.code
    found = records.verify(session, people["admin"], typed)
    assert (found.username, found.title_zh) == ("ag.ent", "知识竞赛：冠军")
    assert records.verify(session, people["admin"], "AA-0000-0000") is None
    for not_admin in ("agent", "lead", "trainer"):
        with pytest.raises(PermissionDenied):
            records.verify(session, people[not_admin], row.code)


def test_a_certificate_is_its_holders_to_download(session, people):
    row = issue(session, people["agent"].id)
    assert records.certificate(session, people["agent"], row.id).code == row.code
    assert records.certificate(session, people["admin"], row.id).code == row.code
    for outsider in ("other", "lead"):
        with pytest.raises(PermissionDenied):
            records.certificate(session, people[outsider], row.id)
    with pytest.raises(NotFound):
        records.certificate(session, people["agent"], row.id + 100)


def test_the_pdf_says_who_what_when_and_the_code_in_english_and_chinese(session, people):
    row = issue(session, people["agent"].id, expires_on=date(2028, 11, 20))
    text = pdf_text(certificate_pdf(records.certificate(session, people["agent"], row.id)))
    for expected in ("Certificate of Achievement", "结业证书", "Agent Academy Customer Service Center", "客户服务中心",
                     "Ag.Ent", "Knowledge contest: winner", "知识竞赛：冠军", "November 20, 2026", "2026年11月20日",
                     "Valid until November 20, 2028", "有效期至 2028年11月20日", row.code):
        assert expected in text, expected


# --- recertification -------------------------------------------------------------------------------------

def read_old_version(session, user_id, module_id=MODULE):
    session.add(ModuleProgress(user_id=user_id, module_id=module_id, completed_at=datetime(2026, 1, 5, tzinfo=UTC),
                               version="0ld0ld0ld0ld", minutes_spent=20))
    session.flush()


def test_a_changed_module_puts_its_readers_on_the_list_until_they_reread_and_pass_the_quiz(session, people):
    agent, lead_view = people["agent"], people["trainer"]
    read_old_version(session, agent.id)
    assert recert.record_versions_seen(session, date(2026, 11, 1)) == len(current_programme().modules)
    assert recert.record_versions_seen(session, date(2026, 11, 5)) == 0
    [entry] = recert.out_of_date(session, lead_view, today=date(2026, 11, 10))
    assert (entry.name, entry.module_id, entry.mode, entry.due_on, entry.reread) == (
        "Ag.Ent", MODULE, "required", date(2026, 12, 1), False)
    assert [i.kind for i in todo_for(session, agent, today=date(2026, 11, 10)) if i.kind.startswith("recert")] == [
        "recert"]
    recert.reread(session, agent, MODULE)
    recert.reread(session, agent, MODULE)  # a double click
    [entry] = recert.my_recertifications(session, agent, today=date(2026, 11, 10))
    assert entry.reread and entry.has_quiz
    record_practice_score(session, agent.id, current_programme().module(MODULE).quiz, 95.0)
    assert recert.out_of_date(session, lead_view) == []
    with pytest.raises(ValidationFailed):
        recert.reread(session, people["other"], MODULE)  # never read it: nothing to read again


def test_optional_modules_are_listed_without_a_due_date_and_off_modules_not_at_all(session, people):
    read_old_version(session, people["agent"].id)
    recert.set_policy(session, people["trainer"], MODULE, "optional", 14)
    [item] = [i for i in todo_for(session, people["agent"]) if i.kind.startswith("recert")]
    assert item.kind == "recert_optional" and item.due is None
    recert.set_policy(session, people["trainer"], MODULE, "off", 14)
    assert recert.out_of_date(session, people["trainer"]) == []
    with pytest.raises(ValidationFailed):
        recert.set_policy(session, people["trainer"], MODULE, "sometimes", 14)
    with pytest.raises(ValidationFailed):
        recert.set_policy(session, people["trainer"], MODULE, "required", 0)
    with pytest.raises(PermissionDenied):
        recert.set_policy(session, people["lead"], MODULE, "required", 30)


def test_a_lead_sees_only_the_teams_they_lead_on_the_list(session, people):
    from portal import users
    from portal.roles import SYSTEM

    read_old_version(session, people["agent"].id)
    assert recert.out_of_date(session, people["lead"]) == []  # leads no team yet
    users.set_team_leads(session, SYSTEM, people["agent"].team_id, [people["lead"].id])
    assert [e.name for e in recert.out_of_date(session, people["lead"])] == ["Ag.Ent"]
    with pytest.raises(PermissionDenied):
        recert.out_of_date(session, people["agent"])
    assert session.exec(select(func.count()).select_from(ModuleVersionSeen)).one() == 0  # reads write nothing
