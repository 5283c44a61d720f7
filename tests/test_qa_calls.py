"""Calls for quality assurance: the CSV export read row by row, saved whole or not at all, typed in by hand."""
from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import func, select

from portal.cli import main
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AuditEntry, QaCall, User
from portal.qa import calls
from portal.qa.calls import CallEntry, import_calls, preview_calls, record_call
from portal.roles import Role
from tests.utils.factories import make_team, make_user

GOOD = """call id,agent,start time,duration,queue,direction,satisfaction,complaint,recording,ticket
C-1001,li.ming,2026-11-03 09:15:00,345,billing,inbound,5,no,https://rec.example/C-1001.wav,T-1
C-1002,li.ming,2026-11-03T10:00+00:00,5:45,broadband fault,outbound,,yes,,
C-1003,wang.fei,2026/11/4 8:05,01:02:03,plan change,inbound,2,1,http://rec.example/3,
"""
CHINESE = ("呼叫ID,坐席,开始时间,时长,队列,方向,满意度,投诉,录音,工单\n"
           "CN-1,wang.fei,2026-11-05 14:30,2:10,话费查询,呼入,4,否,,GD-9\n"
           "CN-2,li.ming,2026-11-05 15:00,90,宽带报障,呼出,1,是,https://rec.example/cn2,\n")


@pytest.fixture
def world(session):
    team = make_team(session, "Mobile Team A")
    make_user(session, "li.ming", Role.AGENT, team_id=team.id)
    make_user(session, "wang.fei", Role.AGENT, team_id=team.id)
    return make_user(session, "analyst", Role.QA)


def call_count(session) -> int:
    return session.exec(select(func.count(QaCall.id))).one()


def problems(preview) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.key) for p in preview.problems]


def test_a_valid_export_is_previewed_then_saved(session, world):
    preview = preview_calls(session, world, GOOD.encode())
    assert preview.valid and [r.already_imported for r in preview.rows] == [False, False, False]
    first, second, third = (r.call for r in preview.rows)
    assert first.started_at == datetime(2026, 11, 3, 1, 15, tzinfo=UTC)  # 09:15 in Shanghai
    assert second.started_at == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # the offset wins
    assert (first.duration_seconds, second.duration_seconds, third.duration_seconds) == (345, 345, 3723)
    assert (second.direction, second.complaint, second.satisfaction, second.recording_url) == \
        ("outbound", True, None, None)
    assert call_count(session) == 0  # a preview saves nothing
    result = import_calls(session, world, GOOD.encode(), file_name="export.csv")
    assert (result.imported, result.already_imported) == (3, 0)
    assert call_count(session) == 3
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "qa_calls.imported")).one()
    assert entry.actor_id == world.id and entry.target == "export.csv"


def test_chinese_headers_and_values_in_a_gbk_file(session, world):
    preview = preview_calls(session, world, CHINESE.encode("gbk"))
    assert preview.valid, problems(preview)
    assert preview.encoding == "GB18030"
    one, two = (r.call for r in preview.rows)
    assert (one.queue, one.direction, one.complaint, one.ticket_ref) == ("话费查询", "inbound", False, "GD-9")
    assert (two.direction, two.complaint, two.duration_seconds) == ("outbound", True, 90)


def test_header_aliases_and_semicolons(session, world):
    text = ("Call_ID;Username;Started At;Duration Seconds;Skill;Call Direction;CSAT;Complaint Flag;Notes\n"
            "S-1;LI.MING;2026-11-03 09:15;60;billing;IN;3.5;true;called back\n")
    preview = preview_calls(session, world, text)
    assert preview.valid, problems(preview)
    assert preview.ignored_columns == ["Notes"]
    assert preview.rows[0].call.satisfaction == 3.5 and preview.rows[0].call.direction == "inbound"


def test_every_bad_value_is_named_by_row_and_column_and_nothing_is_saved(session, world):
    bad = ("call id,agent,start time,duration,queue,direction,satisfaction,complaint,recording\n"
           "B-1,nobody,2026-11-03 09:15,60,billing,inbound,,,\n"
           "B-2,li.ming,yesterday,6:75,billing,sideways,11,maybe,javascript:alert(1)\n"
           "B-1,li.ming,2026-11-03,0,,inbound,,,ftp://x/y\n"
           "B-4,li.ming,2099-01-01 09:00,60,billing,inbound,,,\n"
           "B-5,li.ming,2026-11-03 09:15,60,billing,inbound,,,\n")
    preview = preview_calls(session, world, bad.encode())
    assert not preview.valid
    assert problems(preview) == [
        (2, "agent", "qa.calls.error.unknown_agent"),
        (3, "start time", "qa.calls.error.bad_start_time"),
        (3, "duration", "qa.calls.error.bad_duration"),
        (3, "direction", "qa.calls.error.bad_direction"),
        (3, "satisfaction", "qa.calls.error.bad_satisfaction"),
        (3, "complaint", "qa.calls.error.bad_complaint"),
        (3, "recording", "qa.calls.error.bad_recording"),
        (4, "start time", "qa.calls.error.start_time_without_time"),
        (4, "duration", "qa.calls.error.duration_out_of_range"),
        (4, "queue", "qa.calls.error.queue_required"),
        (4, "recording", "qa.calls.error.bad_recording"),
        (4, "call id", "qa.calls.error.duplicate_in_file"),
        (5, "start time", "qa.calls.error.start_in_future"),
    ]
    with pytest.raises(ValidationFailed):
        import_calls(session, world, bad.encode())
    assert call_count(session) == 0


def test_missing_columns_empty_and_oversized_files_are_refused_whole(session, world, monkeypatch):
    missing = preview_calls(session, world, "call id,agent,queue\nX,li.ming,billing\n")
    assert problems(missing) == [(1, "started_at", "qa.calls.error.missing_column"),
                                 (1, "duration", "qa.calls.error.missing_column"),
                                 (1, "direction", "qa.calls.error.missing_column")]
    assert missing.refused_whole
    assert problems(preview_calls(session, world, b"")) == [(1, "", "file.error.empty")]
    assert problems(preview_calls(session, world, "call id,agent,start time,duration,queue,direction\n")) == \
        [(1, "", "import.error.empty")]
    monkeypatch.setattr(calls, "MAX_CALLS_CSV_BYTES", 100)
    assert problems(preview_calls(session, world, GOOD.encode())) == [(1, "", "file.error.too_large")]


def test_importing_the_same_file_again_changes_nothing(session, world):
    import_calls(session, world, GOOD.encode())
    again = preview_calls(session, world, GOOD.encode())
    assert again.valid and all(r.already_imported for r in again.rows)
    assert import_calls(session, world, GOOD.encode()).imported == 0
    assert call_count(session) == 3


def test_a_known_call_with_different_data_is_refused_naming_the_difference(session, world):
    import_calls(session, world, GOOD.encode())
    changed = GOOD.replace("C-1001,li.ming,2026-11-03 09:15:00,345,billing", "C-1001,wang.fei,2026-11-03 09:15:00,346,billing")
    preview = preview_calls(session, world, changed.encode())
    [problem] = preview.problems
    assert (problem.row, problem.column, problem.key) == (2, "call id", "qa.calls.error.changed")
    assert problem.params["columns"] == "agent, duration"
    with pytest.raises(ValidationFailed):
        import_calls(session, world, changed.encode())
    assert session.exec(select(QaCall.duration_seconds).where(QaCall.external_id == "C-1001")).one() == 345


def test_calls_saved_by_someone_else_since_the_preview_refuse_the_import_clearly(session, world, monkeypatch):
    """Two imports of one file at once (PostgreSQL): the second finds the calls new, then meets the unique index."""
    import_calls(session, world, GOOD.encode())
    monkeypatch.setattr(calls, "_existing_calls", lambda session, ids: {})  # what the second one saw
    with pytest.raises(ValidationFailed) as refused:
        import_calls(session, world, GOOD.encode())
    assert refused.value.key == "qa.calls.error.saved_meanwhile"


@pytest.mark.parametrize("text, seconds", [("345", 345), ("5:45", 345), ("05:45", 345), ("1:05:45", 3945),
                                           ("00:00:09", 9)])
def test_durations(text, seconds):
    assert calls.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1:60", "abc", "-5", "1:2", "0", "90000"])
def test_bad_durations(text):
    with pytest.raises(ValidationFailed):
        calls.parse_duration(text)


@pytest.mark.parametrize("username", ["agent.x", "lead.x", "trainer.x"])
def test_people_without_the_qa_role_cannot_import_or_enter_calls(session, world, username):
    role = {"agent.x": Role.AGENT, "lead.x": Role.LEAD, "trainer.x": Role.TRAINER}[username]
    someone = make_user(session, username, role)
    with pytest.raises(PermissionDenied):
        preview_calls(session, someone, GOOD.encode())
    with pytest.raises(PermissionDenied):
        import_calls(session, someone, GOOD.encode())
    with pytest.raises(PermissionDenied):
        record_call(session, someone, entry(session))
    with pytest.raises(PermissionDenied):
        calls.recent_calls(session, someone)
    assert call_count(session) == 0


def entry(session, **changes) -> CallEntry:
    agent_id = session.exec(select(User.id).where(User.username == "li.ming")).one()
    values = {"external_id": "M-1", "agent_id": agent_id, "day": date(2026, 11, 3), "start": time(9, 15),
              "duration": "5:45", "queue": "投诉", "direction": "inbound", "satisfaction": 2.0, "complaint": True,
              "recording_url": "https://rec.example/m1", "ticket_ref": "T-77"}
    values.update(changes)
    return CallEntry(**values)


def test_a_call_entered_by_hand_is_saved_once(session, world):
    first = record_call(session, world, entry(session))
    assert first.created
    saved = session.get(QaCall, first.call_id)
    assert (saved.source, saved.duration_seconds, saved.queue) == ("manual", 345, "投诉")
    assert saved.started_at.replace(tzinfo=UTC) == datetime(2026, 11, 3, 1, 15, tzinfo=UTC)
    again = record_call(session, world, entry(session))  # a double click, a reload
    assert (again.call_id, again.created) == (first.call_id, False)
    assert call_count(session) == 1
    assert session.exec(select(func.count(AuditEntry.id)).where(AuditEntry.action == "qa_call.entered")).one() == 1
    with pytest.raises(ValidationFailed) as refused:
        record_call(session, world, entry(session, duration="6:00"))
    assert refused.value.key == "qa.calls.error.changed" and refused.value.params["columns"] == "duration"


@pytest.mark.parametrize("changes, key", [
    ({"external_id": " "}, "qa.calls.error.call_id_required"),
    ({"agent_id": None}, "qa.calls.error.agent_required"),
    ({"day": None}, "qa.calls.error.started_at_required"),
    ({"day": date(2099, 1, 1)}, "qa.calls.error.start_in_future"),
    ({"duration": "ten"}, "qa.calls.error.bad_duration"),
    ({"queue": ""}, "qa.calls.error.queue_required"),
    ({"direction": ""}, "qa.calls.error.direction_required"),
    ({"satisfaction": 12.0}, "qa.calls.error.bad_satisfaction"),
    ({"recording_url": "javascript:alert(1)"}, "qa.calls.error.bad_recording"),
    ({"ticket_ref": "x" * 81}, "qa.calls.error.ticket_too_long"),
])
def test_a_call_entered_by_hand_is_refused_field_by_field(session, world, changes, key):
    with pytest.raises(ValidationFailed) as refused:
        record_call(session, world, entry(session, **changes))
    assert refused.value.key == key
    assert call_count(session) == 0


def test_recent_calls_are_paged_newest_first(session, world):
    import_calls(session, world, GOOD.encode())
    page = calls.recent_calls(session, world, page_size=2)
    assert page.total == 3 and page.pages == 2
    assert list(page.rows["external_id"]) == ["C-1003", "C-1002"]
    assert list(calls.recent_calls(session, world, page=1, page_size=2).rows["external_id"]) == ["C-1001"]


# --------------------------------------------------------------------------- the command line


def test_cli_import_calls_dry_run_saves_nothing_then_imports(engine, tmp_path, capsys):
    from sqlmodel import Session

    with Session(engine) as session:
        team = make_team(session, "Mobile Team A")
        make_user(session, "li.ming", Role.AGENT, team_id=team.id)
        make_user(session, "wang.fei", Role.AGENT, team_id=team.id)
        session.commit()
    path = tmp_path / "calls.csv"
    path.write_bytes(CHINESE.encode("gbk"))
    assert main(["qa", "import-calls", str(path), "--dry-run"]) == 0
    assert "2 new, 0 already imported; nothing saved (dry run)" in capsys.readouterr().out
    with Session(engine) as session:
        assert call_count(session) == 0
    assert main(["qa", "import-calls", str(path)]) == 0
    assert "2 calls imported, 0 already imported" in capsys.readouterr().out
    assert main(["qa", "import-calls", str(path)]) == 0
    assert "0 calls imported, 2 already imported" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(CHINESE.replace("2:10", "2:99"), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_code:
        main(["qa", "import-calls", str(bad)])
    assert exit_code.value.code == 1
    err = capsys.readouterr().err
    assert "row 2, column 时长: '2:99' is not a duration" in err
    with Session(engine) as session:
        assert call_count(session) == 2
