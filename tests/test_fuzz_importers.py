"""Fuzzing the file importers we own: arbitrary input never crashes them.

Each importer either accepts the input or reports clear problems; nothing is
half-saved. (GIFT and Aiken are fuzzed in tests/test_gift.py and test_aiken.py.)
"""
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from portal import user_import
from portal.courses import CourseFileError, load_module, load_programme
from portal.models import User
from portal.roles import Actor, Role

COURSES = Path(__file__).resolve().parent.parent / "courses"
FIELDS = ["username", "display_name", "roles", "team", "cohort", "mentor", "password", "language", "junk"]
cells = st.one_of(st.sampled_from(["li.na", "admin", "newhire;agent", "boss", "", "Team X", "zh-CN", "x" * 70,
                                   "a,b", '"quoted"', "李娜", "\n", "   "]), st.text(max_size=20))


@st.composite
def csv_documents(draw):
    header = draw(st.lists(st.sampled_from(FIELDS), min_size=0, max_size=8))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=9), max_size=6))
    lines = [",".join(header)] + [",".join(row) for row in rows]
    text = "\n".join(lines)
    if draw(st.booleans()):
        return text.encode("utf-8")
    return draw(st.binary(max_size=200)) if draw(st.booleans()) else text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=csv_documents())
def test_user_csv_import_never_crashes_and_never_half_saves(engine, document):
    with Session(engine) as session:
        admin = Actor(id=0, username="fuzz", display_name="Fuzz", roles=frozenset({Role.ADMIN}))
        before = session.exec(select(func.count(User.id))).one()
        preview = user_import.preview_import(session, admin, document)
        assert preview.valid or preview.problems or not preview.rows
        for problem in preview.problems:
            assert problem.key and problem.row >= 1
        if not preview.valid:
            try:
                user_import.commit_import(session, admin, document)
            except Exception as exc:  # must be the clear, translated error
                assert exc.__class__.__name__ == "PortalError"
            session.rollback()
            assert session.exec(select(func.count(User.id))).one() == before


front_matter_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.text(max_size=15),
                                st.dictionaries(st.sampled_from(["en", "zh-CN", "fr"]), st.text(max_size=10),
                                                max_size=3))


@st.composite
def module_files(draw):
    keys = draw(st.lists(st.sampled_from(["id", "title", "minutes", "required", "quiz", "order", "extra"]),
                         unique=True, max_size=7))
    lines = [f"{key}: {draw(front_matter_values)!r}" for key in keys]
    body = draw(st.sampled_from(["", "<!-- lang: en -->\nHello\n<!-- lang: zh-CN -->\n你好\n",
                                 "<!-- lang: en -->\nOnly English\n", draw(st.text(max_size=80))]))
    opening = draw(st.sampled_from(["---\n", "", "--- \n", "---\r\n"]))
    return opening + "\n".join(lines) + "\n---\n" + body


@settings(max_examples=200, deadline=None)
@given(text=module_files())
def test_course_module_front_matter_never_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("module") / "fuzz-module.md"
    path.write_text(text, encoding="utf-8")
    result = load_module(path, "theory")
    if isinstance(result, list):
        assert result and all(isinstance(e, CourseFileError) and e.field is not None for e in result)
        assert all(str(path) in str(e.path) or e.path == path for e in result)


@settings(max_examples=25, deadline=None)
@given(text=module_files())
def test_a_broken_module_never_stops_the_rest_of_the_programme(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("courses") / "courses"
    shutil.copytree(COURSES, root)
    (root / "1-theory" / "zz-fuzz.md").write_text(text, encoding="utf-8")
    programme = load_programme(root)
    good = load_programme(COURSES)
    loaded = {m.id for m in programme.modules}
    assert {m.id for m in good.modules} - loaded <= {"theory-house-rules", "theory-performance-incentives",
                                                     "theory-service-standards"}  # only an id clash may hide one
    assert len(loaded) >= len(good.modules) - 1
