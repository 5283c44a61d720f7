"""The `portal` command: a thin shell over the library's services."""
import argparse
import getpass
import sys
from pathlib import Path

from portal.errors import PortalError
from portal.roles import SYSTEM


def _read_password(prompt: str = "Password: ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Repeat: ") != first:
            raise SystemExit("error: the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_db_upgrade(args) -> None:
    from portal.db import get_engine, migrate

    migrate(get_engine())  # refreshes the planner's statistics too (portal.db.migrate)
    print("database is at the newest schema")


def cmd_seed_demo(args) -> None:
    from portal.db import get_engine, migrate, refresh_statistics
    from seed.loader import is_seeded, load_demo

    migrate()
    if args.if_empty and is_seeded():
        print("demo data already loaded")
        return
    created = load_demo()
    if any(created.values()):
        refresh_statistics(get_engine())
    summary = ", ".join(f"{n} {what}" for what, n in sorted(created.items())) or "nothing new"
    print(f"demo center loaded: {summary}")


def cmd_seed_large(args) -> None:
    import time

    from portal.db import get_engine, migrate, refresh_statistics
    from seed.large import Scale, build_large

    engine = get_engine()
    migrate(engine)
    started = time.perf_counter()
    counts = build_large(engine, progress=_progress_bar, scale=Scale.times(args.scale))
    sys.stderr.write("\n")
    refresh_statistics(engine)  # the planner's row counts, for the tables just filled
    scale = "" if args.scale == 1 else f" at {args.scale:g}x"
    print(f"large center{scale} built in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{n:,} {what}" for what, n in counts.items()))


MAX_SCALE = 20  # 20 million answers: about 10 GB of SQLite and an hour of building


def scale_factor(value: str) -> float:
    """`--scale N`: how many times the `large` center; 1 or more, at most MAX_SCALE."""
    try:
        factor = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number (try 1, 2 or 5)") from None
    if not 1 <= factor <= MAX_SCALE:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{value} is out of range: the scale is a factor from 1 "
                                         f"(the 2,000-agent center) to {MAX_SCALE}")
    return factor


def _progress_bar(step: str, fraction: float, width: int = 30) -> None:
    filled = int(width * fraction)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {step:<24}")
    sys.stderr.flush()


def cmd_user_add(args) -> None:
    from portal.db import migrate, session_scope
    from portal.users import NewUser, active_teams, create_user

    migrate()
    password = _read_password()
    with session_scope() as session:
        team_id = None
        if args.team:
            team_id = next((tm.id for tm in active_teams(session) if tm.name.lower() == args.team.lower()), None)
            if team_id is None:
                raise PortalError("users.error.no_such_team", team=args.team)
        create_user(session, SYSTEM, NewUser(username=args.username, display_name=args.name or args.username,
                                           roles=tuple(args.role), password=password, team_id=team_id))
    print(f"user {args.username} created")


def cmd_user_passwd(args) -> None:
    from portal.auth import find_user
    from portal.db import migrate, session_scope
    from portal.users import reset_password

    migrate()
    password = _read_password("New password: ")
    with session_scope() as session:
        user = find_user(session, args.username)
        if user is None:
            raise PortalError("users.error.no_such_user", user=args.username)
        reset_password(session, SYSTEM, user.id, password)
    print(f"password of {args.username} changed")


def cmd_backup(args) -> None:
    from portal.backup import backup
    from portal.db import get_engine

    result = backup(get_engine(), Path(args.file))
    print(f"backup written to {result.path}")
    print(f"manifest: {result.manifest_path} ({result.database}, schema {result.revision})")
    _print_tables(result.tables)


def _print_tables(tables) -> None:
    width = max((len(name) for name in tables), default=5)
    print(f"{'table':<{width}}  {'rows':>10}  sha256")
    for name, summary in sorted(tables.items()):
        print(f"{name:<{width}}  {summary.rows:>10,}  {summary.short()}")
    print(f"{len(tables)} tables, {sum(t.rows for t in tables.values()):,} rows")


def cmd_restore(args) -> None:
    from portal.backup import BackupMismatch, restore
    from portal.db import get_engine

    try:
        result = restore(get_engine(), Path(args.file))
    except BackupMismatch as mismatch:
        for difference in mismatch.differences:
            print(f"differs: {difference.describe()}", file=sys.stderr)
        raise
    print(f"database restored from {args.file}")
    if result.verified:
        print(f"verified {len(result.tables)} tables, {result.rows:,} rows against {result.manifest_path}")
    else:
        print(f"not verified: no manifest {result.manifest_path} beside the backup")


def cmd_quiz_import(args) -> None:
    import json

    from portal.quizzes.detect import read_question_file
    from portal.quizzes.interchange import QuestionFileError

    path = Path(args.file)
    try:
        read = read_question_file(path.read_bytes(), args.format, path.name)
        questions = read.questions
        if args.dry_run:
            result = None
        else:
            from portal.db import migrate, session_scope
            from portal.quizzes.bank import import_questions

            migrate()
            with session_scope() as session:
                result = import_questions(session, SYSTEM, questions, args.language)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    except QuestionFileError as error:  # a PortalError that lists every problem: one a line
        print(f"error: {path} was not imported ({len(error.problems)} problems):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {path}:{problem.line}: {problem.message}", file=sys.stderr)
        raise SystemExit(1) from error
    except PortalError as exc:  # empty, too large, or not text
        print(f"error: {path} was not imported: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    if args.json:
        data = [q.to_json_dict() for q in questions] if result is None else \
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif result is None:
        for question in questions:
            print(f"{question.line:>5}  {question.idnumber or '-':<12} {question.qtype:<12} {question.name}")
        print(f"{len(questions)} questions read ({read.encoding}), nothing saved (dry run)")
    else:
        print(f"{result.total} questions: {len(result.created)} new, {len(result.updated)} updated, "
              f"{len(result.unchanged)} unchanged ({args.language})")


def cmd_quiz_export(args) -> None:
    from portal.db import migrate, session_scope
    from portal.quizzes.bank import export_questions

    migrate()
    with session_scope() as session:
        result = export_questions(session, SYSTEM, args.format, tag=args.tag, language=args.language)
    for problem in result.skipped:
        print(f"skipped: {problem.message}", file=sys.stderr)
    sys.stdout.write(result.text)


def _add_quiz_commands(sub) -> None:
    quiz = sub.add_parser("quiz", help="question bank files").add_subparsers(dest="quiz_command", required=True)
    load = quiz.add_parser("import", help="import a GIFT, Aiken or Moodle XML file (rejected whole if any question "
                                          "is bad)")
    load.add_argument("file")
    load.add_argument("--format", choices=["gift", "aiken", "moodlexml"], help="default: from the extension or content")
    load.add_argument("--language", choices=["en", "zh-CN"], default="en")
    load.add_argument("--dry-run", action="store_true", help="only read and check the file; save nothing")
    load.add_argument("--json", action="store_true", help="print the questions (dry run) or the result as JSON")
    load.set_defaults(func=cmd_quiz_import)
    dump = quiz.add_parser("export", help="write published questions as GIFT, Aiken or Moodle XML to stdout")
    dump.add_argument("--format", choices=["gift", "aiken", "moodlexml"], required=True)
    dump.add_argument("--tag", help="only questions carrying this tag")
    dump.add_argument("--language", choices=["en", "zh-CN"], default="en")
    dump.set_defaults(func=cmd_quiz_export)


def cmd_qa_import_calls(args) -> None:
    from portal.db import migrate, read_scope, run_transaction
    from portal.i18n import translate
    from portal.qa.calls import import_calls, preview_calls, record_failed_import

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    migrate()
    with read_scope() as session:
        preview = preview_calls(session, SYSTEM, data)
    if preview.problems:
        print(f"error: {path} was not imported ({len(preview.problems)} problems):", file=sys.stderr)
        for problem in preview.problems:
            column = f", column {problem.column}" if problem.column else ""
            print(f"  row {problem.row}{column}: {translate(problem.key, 'en', **problem.params)}", file=sys.stderr)
        if not args.dry_run:  # a scheduled run nobody watches: the admin's Home says so
            run_transaction(lambda session: record_failed_import(session, SYSTEM, path.name, len(preview.problems)))
        raise SystemExit(1)
    new, already = len(preview.new_rows), len(preview.rows) - len(preview.new_rows)
    if args.dry_run:
        print(f"{len(preview.rows)} calls read ({preview.encoding}): {new} new, {already} already imported; "
              "nothing saved (dry run)")
        return
    result = run_transaction(lambda session: import_calls(session, SYSTEM, data, file_name=path.name))
    print(f"{result.imported} calls imported, {result.already_imported} already imported")


def cmd_qa_sample(args) -> None:
    from portal.db import migrate, run_transaction, session_scope
    from portal.qa.sampling import checked_month, draw_sample, team_id_by_name
    from portal.users import active_teams

    checked_month(args.month)
    migrate()
    with session_scope() as session:
        teams = ([(team_id_by_name(session, args.team), args.team)] if args.team else
                 [(tm.id, tm.name) for tm in active_teams(session)])
    refused = 0
    for team_id, name in teams:
        try:
            result = run_transaction(lambda session, team_id=team_id: draw_sample(
                session, SYSTEM, team_id, args.month, seed=args.seed, redraw=args.redraw))
        except PortalError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            refused += 1
            continue
        kept = f", {result.kept} evaluated calls kept" if result.kept else ""
        agents = f"{result.agents} agent" + ("" if result.agents == 1 else "s")
        print(f"{result.team} {result.month}: {result.drawn} calls drawn for {agents} (seed {result.seed}{kept})")
    if refused:
        raise SystemExit(1)


def _add_qa_commands(sub) -> None:
    qa = sub.add_parser("qa", help="quality assurance: calls and samples").add_subparsers(dest="qa_command",
                                                                                          required=True)
    calls = qa.add_parser("import-calls", help="import calls from the telephony/CRM CSV export "
                                               "(rejected whole if any row is bad; importing again changes nothing)")
    calls.add_argument("file")
    calls.add_argument("--dry-run", action="store_true", help="only read and check the file; save nothing")
    calls.set_defaults(func=cmd_qa_import_calls)
    sample = qa.add_parser("sample", help="draw the month's sample of calls per team (prints the seed)")
    sample.add_argument("--month", required=True, help="YYYY-MM, on the center's calendar")
    sample.add_argument("--team", help="one team by name (default: every team)")
    sample.add_argument("--seed", type=int, help="the seed to draw with (default: a random one, printed)")
    sample.add_argument("--redraw", action="store_true", help="draw a plan already drawn again "
                                                              "(calls already evaluated stay in the sample)")
    sample.set_defaults(func=cmd_qa_sample)


def cmd_wellbeing_purge(args) -> None:
    from portal.clock import utcnow
    from portal.db import migrate, session_scope
    from portal.wellbeing import purge_expired_responses

    migrate()
    with session_scope() as session:
        report = purge_expired_responses(session, utcnow())
    print(f"deleted {report.deleted_responses} responses from before {report.kept_from_month}, "
          f"published {report.archived_cells} cells, cleared {report.deleted_participation} participation rows")
def cmd_wellbeing_publish(args) -> None:
    from portal.db import migrate, run_transaction
    from portal.wellbeing import publish_closed_periods

    migrate()
    report = run_transaction(publish_closed_periods)
    print(f"published {len(report.periods)} periods ({', '.join(report.periods) or 'none'}): "
          f"{report.cells_published} cells shown, {report.cells_unprotected} hidden cells left unprotected")


def cmd_todo(args) -> None:
    """Print what is on a person's Home, as they would see it (overdue first)."""
    from sqlmodel import select

    from portal import todo
    from portal.auth import actor_for
    from portal.clock import local_today
    from portal.db import migrate, session_scope
    from portal.i18n import Translator
    from portal.models import User

    migrate()
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == args.username)).first()
        language = args.language or (user.language if user else None) or "en"
        t = Translator(language)
        if user is None:
            raise SystemExit(t("todo.cli.unknown_user", username=args.username))
        items = todo.todo_for(session, actor_for(session, user), language=t.language)
        if not items:
            print(t("todo.cli.none", username=user.username))
        today = local_today()
        for entry in items:
            query = "&".join(f"{k}={v}" for k, v in entry.query)
            where = entry.page.removeprefix("pages/").removesuffix(".py") + (f"?{query}" if query else "")
            due = todo.due_text(entry, t, t.language, today)
            print(f"{'!' if entry.overdue(today) else '-'} {todo.item_text(entry, t, t.language)}"
                  f"{f'  [{due}]' if due else ''}  -> {where}")


def cmd_record(args) -> None:
    """Write a person's learning record for HR: PDF, XLSX or CSV by the file's extension."""
    from pathlib import Path

    from sqlmodel import select

    from portal import learning_record
    from portal.db import migrate, read_scope
    from portal.i18n import Translator
    from portal.learning_record.pdf import record_pdf
    from portal.models import User

    writers = {".pdf": record_pdf, ".xlsx": learning_record.record_workbook, ".csv": learning_record.record_csv}
    out = Path(args.file)
    t = Translator(args.language)
    if out.suffix.lower() not in writers:
        raise SystemExit(t("record.cli.extension", extensions=", ".join(writers)))
    migrate()
    with read_scope() as session:
        user = session.exec(select(User).where(User.username == args.username)).first()
        if user is None:
            raise SystemExit(t("record.cli.unknown_user", username=args.username))
        record = learning_record.learning_record(session, SYSTEM, user.id)
    out.write_bytes(writers[out.suffix.lower()](record, t))
    print(t("record.cli.written", username=user.username, file=str(out)))


def cmd_notify_sweep(args) -> None:
    from portal.db import migrate, session_scope
    from portal.i18n import translate
    from portal.notifications.reminders import sweep

    migrate()
    with session_scope() as session:
        report = sweep(session, commit_each=True)
    print(translate("notify.cli.swept", "en", added=sum(report.added.values()), people=report.people))


def cmd_notify_send(args, mode: str) -> None:
    from portal.db import migrate, session_scope
    from portal.i18n import translate
    from portal.notifications.mail import send_pending, smtp_settings

    settings = smtp_settings()
    if settings is None:
        print(translate("notify.cli.no_smtp", "en"))
        return
    migrate()
    print(translate("notify.cli.sent", "en", count=send_pending(session_scope, settings, mode=mode)))


def cmd_notify_send_digests(args) -> None:
    """Sweep (reminders are due before a digest is written), then e-mail each digest person once."""
    cmd_notify_sweep(args)
    cmd_notify_send(args, "digest")


def cmd_report_marks(args) -> None:
    from portal.db import migrate, session_scope
    from portal.quizzes.analysis import marks_frame

    migrate()
    from portal.exports import csv_text

    with session_scope() as session:
        frame = marks_frame(session, SYSTEM, args.exam)  # whoever reaches the server's shell
    print(csv_text(frame) if args.csv else frame.to_string(index=False), end="" if args.csv else "\n")


UNDEFINED = "n/a"  # a figure not defined for the attempts at hand (printed; CSV leaves the cell empty)


def cmd_report_item_analysis(args) -> None:
    from portal.db import migrate, session_scope
    from portal.quizzes.analysis import exam_item_analysis, item_analysis_csv, item_titles

    migrate()
    with session_scope() as session:
        _, analysis, _ = exam_item_analysis(session, SYSTEM, args.exam)
        titles = item_titles(session, SYSTEM, args.exam, "en")
    if args.csv:  # undefined figures are empty cells; labels stay ids
        print(item_analysis_csv(analysis), end="")
        return
    slots = analysis.slots_frame()
    if titles:
        slots.insert(2, "title", slots["label"].map(titles))
    print(slots.astype(object).fillna(UNDEFINED).to_string(index=False))
    print()
    print(analysis.test_frame().fillna(UNDEFINED).to_string(index=False))
    print(f"\n{UNDEFINED}: not defined for these attempts (too few attempts, no spread in the marks, "
          "or a negative covariance with the total)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Agent Academy administration")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="migrate to the newest schema").set_defaults(func=cmd_db_upgrade)

    seed = sub.add_parser("seed", help="load data").add_subparsers(dest="seed_command", required=True)
    demo = seed.add_parser("demo", help="load the demo center (idempotent)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when demo data is already there")
    demo.set_defaults(func=cmd_seed_demo)
    large = seed.add_parser("large", help="build a 2,000-agent center with a million answers in a FRESH database")
    large.add_argument("--scale", type=scale_factor, default=1.0, metavar="N",
                       help=f"N times larger in people, answers and check-ins (1 to {MAX_SCALE}; "
                            "5: 10,000 agents in 500 teams, 5,000,000 answers)")
    large.set_defaults(func=cmd_seed_large)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a user (password from the prompt or stdin)")
    add.add_argument("username")
    add.add_argument("--role", action="append", required=True,
                     choices=["admin", "trainer", "mentor", "lead", "newhire", "agent"])
    add.add_argument("--team")
    add.add_argument("--name", help="display name (default: the username)")
    add.set_defaults(func=cmd_user_add)
    passwd = user.add_parser("passwd", help="set a user's password (from the prompt or stdin)")
    passwd.add_argument("username")
    passwd.set_defaults(func=cmd_user_passwd)

    wellbeing = sub.add_parser("wellbeing", help="wellbeing check-ins").add_subparsers(dest="wellbeing_command",
                                                                                      required=True)
    wellbeing.add_parser("purge", help="publish closed periods, then delete responses past retention "
                                       "(published cells stay)").set_defaults(func=cmd_wellbeing_purge)
    wellbeing.add_parser("publish", help="publish the weeks and months that have closed (audited; idempotent; "
                                         "the first read after a period closes does it too)"
                         ).set_defaults(func=cmd_wellbeing_publish)
    report = sub.add_parser("report", help="exam reports").add_subparsers(dest="report_command", required=True)
    marks = report.add_parser("marks", help="marks per counted attempt and question slot, and the total")
    marks.add_argument("exam", help="exam id or code")
    marks.add_argument("--csv", action="store_true", help="write CSV")
    marks.set_defaults(func=cmd_report_marks)
    items = report.add_parser("item-analysis", help="item statistics per slot and test-level figures")
    items.add_argument("exam", help="exam id or code")
    items.add_argument("--csv", action="store_true", help="write CSV")
    items.set_defaults(func=cmd_report_item_analysis)

    notify = sub.add_parser("notify", help="reminders and e-mail").add_subparsers(dest="notify_command",
                                                                                 required=True)
    notify.add_parser("sweep", help="add the reminders that are due to each person's inbox (idempotent)"
                      ).set_defaults(func=cmd_notify_sweep)
    notify.add_parser("send-digests", help="sweep, then e-mail each digest person what is new (for a daily "
                                           "cron; running it twice sends nothing twice)"
                      ).set_defaults(func=cmd_notify_send_digests)
    notify.add_parser("send-immediate", help="e-mail people who chose 'at once' what is new (run every few "
                                             "minutes)").set_defaults(func=lambda args: cmd_notify_send(args, "immediate"))

    todo_cmd = sub.add_parser("todo", help="print what is on a person's Home: what is theirs to do, overdue first")
    todo_cmd.add_argument("username")
    todo_cmd.add_argument("--language", choices=["en", "zh-CN"], help="default: the person's own")
    todo_cmd.set_defaults(func=cmd_todo)

    record_cmd = sub.add_parser("record", help="write a person's learning record for HR (.pdf, .xlsx or .csv)")
    record_cmd.add_argument("username")
    record_cmd.add_argument("file", help="where to write it; the extension picks the format")
    record_cmd.add_argument("--language", choices=["en", "zh-CN"], default="en")
    record_cmd.set_defaults(func=cmd_record)

    backup = sub.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("file")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file")
    restore.set_defaults(func=cmd_restore)
    _add_quiz_commands(sub)
    _add_qa_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except PortalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
