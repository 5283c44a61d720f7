"""Function sizes in `portal/` and `pages/` (issue #14's measures): the longest function and the functions over
a limit, outside migrations and the file-format parsers (whose long functions follow a grammar).

    python scripts/measure_code.py            # summary and the functions over 50 lines
    python scripts/measure_code.py --limit 40 --top 15

A function's length is its lines from `def` to its last statement (decorators and nested functions
included, as a reader meets them); methods count on their own.
"""
from __future__ import annotations

import argparse
import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEASURED = (ROOT / "portal", ROOT / "pages")
#: Grammars written out as code: their length is the format's, not a design choice.
PARSERS = ("portal/quizzes/gift.py", "portal/quizzes/aiken.py")
EXCLUDED_DIRS = ("migrations",)


@dataclass(frozen=True)
class Function:
    path: str
    name: str  # qualified: Class.method, outer.inner
    line: int
    length: int


def functions_in(path: Path) -> list[Function]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(ROOT).as_posix()
    found: list[Function] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                found.append(Function(relative, name, child.lineno, child.end_lineno - child.lineno + 1))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def measured_files(roots: tuple[Path, ...] = MEASURED) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py")
                  if p.relative_to(ROOT).as_posix() not in PARSERS
                  and not any(part in EXCLUDED_DIRS for part in p.parts))


def all_functions(roots: tuple[Path, ...] = MEASURED) -> list[Function]:
    return [f for path in measured_files(roots) for f in functions_in(path)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=50, help="list functions longer than this (lines)")
    parser.add_argument("--top", type=int, default=5, help="also list the N longest functions")
    args = parser.parse_args(argv)
    functions = sorted(all_functions(), key=lambda f: -f.length)
    over = [f for f in functions if f.length > args.limit]
    longest = functions[0]
    print(f"functions measured: {len(functions)} (portal/ and pages/, without {', '.join(PARSERS)})")
    print(f"longest: {longest.path}:{longest.line} {longest.name} ({longest.length} lines)")
    print(f"over {args.limit} lines: {len(over)}")
    for f in over:
        print(f"  {f.length:4d}  {f.path}:{f.line} {f.name}")
    print(f"longest {args.top}:")
    for f in functions[:args.top]:
        print(f"  {f.length:4d}  {f.path}:{f.line} {f.name}")


if __name__ == "__main__":
    main()
