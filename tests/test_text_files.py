"""Uploaded files in the encodings people save them in, and the files we refuse (issue 13, item 9).

One decode helper serves the users CSV, GIFT and Aiken imports and `portal quiz import`.
"""
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import user_import
from portal.cli import main
from portal.i18n import translate
from portal.quizzes.detect import read_question_file
from portal.quizzes.interchange import QuestionFileError
from portal.roles import Role
from portal.text_files import MAX_QUESTION_FILE_BYTES, FileRefused, decode_upload, megabytes
from tests.utils.factories import make_cohort, make_team, make_user

USERS_CSV = "username,display_name,roles,team\nli.na,李娜,newhire,Team X\nchen.jie,陈杰 𠮷,agent,Team X\n"
GIFT = "$CATEGORY: $course$/产品/漫游\n\n::漫游:: 去日本用哪个套餐最划算？{=日套餐#对：每天封顶。 ~按量付费#太贵了。}\n"
AIKEN = "国际漫游怎么开通？\nA. 拨打客服热线\nB. 不用开通\nANSWER: A\n"


@pytest.fixture
def admin(session):
    make_team(session)
    make_cohort(session)
    return make_user(session, "root.admin", Role.ADMIN)


# --- the helper ---------------------------------------------------------------


@pytest.mark.parametrize(("data", "encoding"), [
    ("李娜,陈杰\n".encode("gbk"), "GB18030"),             # Chinese Excel "CSV" (GBK)
    ("工号,姓名 𠮷\n".encode("gb18030"), "GB18030"),       # a character only GB18030 (not GBK) holds
    ("\ufeff李娜,陈杰\n".encode("utf-8"), "UTF-8"),        # Excel "CSV UTF-8" with its byte-order mark
    ("café,Zoë Müller\n".encode("cp1252"), "Windows-1252"),
])
def test_the_encoding_is_detected_and_named(data, encoding):
    decoded = decode_upload(data, max_bytes=1000)
    assert decoded.encoding == encoding
    assert decoded.text == data.decode({"GB18030": "gb18030", "UTF-8": "utf-8-sig",
                                        "Windows-1252": "cp1252"}[encoding])


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", "\ufeff".encode("utf-8")])
def test_an_empty_file_is_refused(data):
    with pytest.raises(FileRefused) as refused:
        decode_upload(data, max_bytes=1000)
    assert refused.value.key == "file.error.empty"


def test_a_file_over_the_limit_is_refused_with_both_sizes():
    with pytest.raises(FileRefused) as refused:
        decode_upload(b"x" * (MAX_QUESTION_FILE_BYTES + 1), max_bytes=MAX_QUESTION_FILE_BYTES)
    assert refused.value.params == {"size": "2 MB", "limit": "2 MB"}
    assert "2 MB" in translate(refused.value.key, "zh-CN", **refused.value.params)
    assert megabytes(10_900_000) == "10.4 MB" and megabytes(5) == "0.1 MB"


# --- users CSV ----------------------------------------------------------------


def test_a_users_csv_saved_by_chinese_excel_previews_and_says_its_encoding(session, admin):
    preview = user_import.preview_import(session, admin, USERS_CSV.encode("gb18030"))
    assert preview.valid, preview.problems
    assert preview.encoding == "GB18030"
    assert [row["display_name"] for row in preview.rows] == ["李娜", "陈杰 𠮷"]


def test_an_empty_users_csv_is_refused_clearly(session, admin):
    preview = user_import.preview_import(session, admin, b"")
    assert [(p.row, p.key) for p in preview.problems] == [(1, "file.error.empty")]


# --- GIFT and Aiken ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "filename", "fmt"), [(GIFT, "bank.gift", "gift"), (AIKEN, "bank.txt", "aiken")])
def test_gbk_question_files_are_read(text, filename, fmt):
    read = read_question_file(text.encode("gbk"), filename=filename)
    assert (read.format, read.encoding) == (fmt, "GB18030")
    assert "漫游" in read.questions[0].questiontext or "漫游" in read.questions[0].name


def test_a_gift_category_in_gbk_is_filed_like_moodle():
    assert read_question_file(GIFT.encode("gbk"), filename="bank.gift").questions[0].category == "产品/漫游"


@pytest.mark.parametrize("data", [b"", b"\n\n", b"// only a comment\n", b"$CATEGORY: product\n"])
def test_an_empty_question_file_is_refused(data):
    with pytest.raises((FileRefused, QuestionFileError)) as refused:
        read_question_file(data, filename="empty.gift")
    error = refused.value
    key = error.key if isinstance(error, FileRefused) else error.problems[0].key
    assert key in ("file.error.empty", "interchange.error.no_questions")


def test_a_10_mb_gift_file_is_refused_at_once():
    question = "::Q:: Which plan is cheapest for Japan? {=Daily pass#Right. ~Pay as you go#No.}\n\n"
    data = (question * (10 * 1024 * 1024 // len(question) + 1)).encode()
    started = time.perf_counter()
    with pytest.raises(FileRefused) as refused:
        read_question_file(data, filename="huge.gift")
    assert refused.value.key == "file.error.too_large" and refused.value.params["limit"] == "2 MB"
    assert time.perf_counter() - started < 1


def test_a_gift_file_at_the_limit_reads_in_seconds():
    question = "// [tag:roaming]\n::Q{n}:: 国际漫游 {n}? {{\n=Daily pass#Right.\n~Pay as you go#No.\n}}\n\n"
    text, n = [], 0
    size = 0
    while size < MAX_QUESTION_FILE_BYTES - 200:
        chunk = question.format(n=n)
        size += len(chunk.encode())
        text.append(chunk)
        n += 1
    started = time.perf_counter()
    read = read_question_file("".join(text[:-1]).encode(), filename="big.gift")
    elapsed = time.perf_counter() - started
    print(f"\n2 MB GIFT file ({len(read.questions)} questions) read in {elapsed:.2f} s")
    assert len(read.questions) == n - 1 and elapsed < 20


# --- the CLI ------------------------------------------------------------------------


def test_cli_reads_a_gbk_gift_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    path = tmp_path / "bank.gift"
    path.write_bytes(GIFT.encode("gbk"))
    assert main(["quiz", "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "漫游" in out and "1 questions read (GB18030), nothing saved" in out


def test_cli_refuses_an_empty_file_with_a_message(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    path = tmp_path / "empty.aiken"
    path.write_bytes(b"")
    with pytest.raises(SystemExit) as exited:
        main(["quiz", "import", str(path), "--dry-run"])
    assert exited.value.code == 1
    assert "The file is empty" in capsys.readouterr().err


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=100).map(lambda s: s.encode("gb18030")))
def test_any_bytes_decode_or_are_refused_clearly(data):
    try:
        decoded = decode_upload(data, max_bytes=200)
    except FileRefused as refused:
        assert refused.key in ("file.error.empty", "file.error.too_large", "file.error.unknown_encoding")
        return
    assert decoded.text.strip() and decoded.encoding
