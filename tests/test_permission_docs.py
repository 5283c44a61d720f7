"""docs/permissions.md is the permission table as generated: a permission change shows in review."""
import subprocess
import sys
from pathlib import Path

from portal import permissions

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_matrix_is_what_the_table_generates():
    committed = (ROOT / permissions.DOCS_PATH).read_text(encoding="utf-8")
    assert committed == permissions.markdown(), \
        "run `python -m portal.permissions --markdown > docs/permissions.md` and commit the file"


def test_the_matrix_has_one_row_per_action_and_a_cell_per_role():
    rows = [line for line in permissions.markdown().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(permissions.PERMISSIONS)
    assert all(row.count("|") == len(permissions.ALL_ROLES) + 2 for row in rows)
    assert "| `users:manage` | everyone | — | — | — | — | — | — |" in rows


def test_the_command_prints_it():
    printed = subprocess.run([sys.executable, "-m", "portal.permissions", "--markdown"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert printed == permissions.markdown()


def test_readme_and_architecture_link_it():
    for doc in ("README.md", "docs/architecture.md"):
        assert "permissions.md" in (ROOT / doc).read_text(encoding="utf-8"), doc
