"""Dump a database made by a released version into a dialect-neutral JSON fixture.

    .venv/bin/python scripts/make_release_fixture.py                    # v0.1.0 -> tests/fixtures/release-0.1.0/
    .venv/bin/python scripts/make_release_fixture.py --tag v0.2.0 --out tests/fixtures/release-0.2.0

It checks the tag out in a temporary `git worktree` and runs THAT code, not
this checkout's, in a child process: the release's migrations up to the
release's own head revision (for v0.1.0: 0006b) on a fresh SQLite file, then
the release's demo seed loader (`seed.loader.load_demo(engine)`). Then it
writes `demo.json` with every table of that database (`alembic_version`
included): per table its columns with a neutral type (int, float, str, bool,
date, datetime), its primary key, and its rows ordered by primary key, one JSON
array per line. Dates and times are ISO 8601, times in UTC with an offset; the
rest are plain JSON values (floats round-trip exactly).

tests/test_migrations.py loads this file into a fresh database at the release's
revision on SQLite and PostgreSQL, upgrades it to the newest schema and checks
that every row is still there with the same values. The demo's dates are
relative to the day the fixture was made; the fixture is a snapshot of that day.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="v0.1.0", help="the release tag (or any commit)")
    parser.add_argument("--out", type=Path, help="default: tests/fixtures/release-<tag without v>")
    parser.add_argument("--child", nargs=2, metavar=("TREE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        dump_release(Path(args.child[0]), Path(args.child[1]), args.tag)
        return
    out = args.out or ROOT / "tests" / "fixtures" / f"release-{args.tag.removeprefix('v')}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="release-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.tag], check=True)
        try:
            env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": f"sqlite:///{folder}/release.sqlite3"}
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--tag", args.tag,
                            "--child", str(tree), str(out / "demo.json")], cwd=tree, env=env, check=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    print(f"wrote {out / 'demo.json'}")


def neutral_type(column) -> str:
    from sqlalchemy.types import TypeDecorator

    sql_type = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    try:
        python_type = sql_type.python_type
    except NotImplementedError:
        python_type = str
    for kind, name in ((bool, "bool"), (int, "int"), (float, "float"), (datetime, "datetime"), (date, "date")):
        if issubclass(python_type, kind):
            return name
    return "str"


def encode(value, kind: str):
    if value is None:
        return None
    if kind == "datetime":
        if value.tzinfo is None:  # a naive value in the database is UTC (SQLite keeps no offset)
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if kind == "date":
        return value.isoformat()
    return value


def dump_release(tree: Path, out: Path, tag: str) -> None:
    """Runs inside the release's checkout (PYTHONPATH=tree): its code, its migrations, its seed."""
    sys.path.insert(0, str(tree))
    from alembic.script import ScriptDirectory
    from sqlalchemy import MetaData, inspect, select
    from sqlmodel import SQLModel

    import portal
    import portal.models  # noqa: F401  (the release's tables)
    from portal.db import alembic_config, get_engine, migrate
    from seed.loader import load_demo

    if not Path(portal.__file__).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"imported {portal.__file__}, not the release's code in {tree}")
    engine = get_engine()
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    if len(heads) != 1:
        raise SystemExit(f"the release has {len(heads)} migration heads: {heads}")
    revision = heads[0]
    migrate(engine, revision)
    load_demo(engine)
    commit = subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()

    reflected = MetaData()
    reflected.reflect(engine)
    tables = {}
    with engine.connect() as connection:
        for name in sorted(inspect(engine).get_table_names()):
            table = SQLModel.metadata.tables.get(name, reflected.tables[name])  # typed where the release models it
            columns = [(c.name, neutral_type(c)) for c in table.columns]
            key = [c.name for c in table.primary_key.columns] or [c for c, _ in columns]
            rows = connection.execute(select(*table.columns).order_by(*(table.c[k] for k in key))).all()
            tables[name] = {"columns": columns, "primary_key": key,
                            "rows": [[encode(v, kind) for v, (_, kind) in zip(row, columns)] for row in rows]}
    engine.dispose()
    header = {"format": FORMAT, "release": tag, "commit": commit, "schema_revision": revision,
              "made_by": "scripts/make_release_fixture.py: the release's migrate(engine, revision), then its "
                         "seed.loader.load_demo(engine), on SQLite",
              "made_on": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_fixture(out, header, tables)


def write_fixture(out: Path, header: dict, tables: dict) -> None:
    """JSON, one row per line, so a regenerated fixture diffs readably."""
    parts = ["{"]
    parts += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in header.items()]
    parts.append('  "tables": {')
    for i, (name, table) in enumerate(tables.items()):
        parts.append(f"    {json.dumps(name)}: {{")
        parts.append(f'      "columns": {json.dumps(table["columns"])},')
        parts.append(f'      "primary_key": {json.dumps(table["primary_key"])},')
        rows = [f"        {json.dumps(row, ensure_ascii=False)}" for row in table["rows"]]
        parts.append('      "rows": [' + ("\n" + ",\n".join(rows) + "\n      ]" if rows else "]"))
        parts.append("    }" + ("," if i < len(tables) - 1 else ""))
    parts += ["  }", "}"]
    text = "\n".join(parts) + "\n"
    json.loads(text)  # well-formed
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
