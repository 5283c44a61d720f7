"""Moodle XML: reading and writing every question type with images, Moodle's own fixture files,
hostile files, question images kept and served only to those allowed, the CLI."""
import base64
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlmodel import select

from portal.cli import main
from portal.errors import NotFound, PermissionDenied
from portal.models import Attempt, AttemptAnswer, Exam, QuestionImage, ReviewCard
from portal.quizzes import bank, render
from portal.quizzes.detect import read_question_file
from portal.quizzes.images import ImageRefused, clean_image
from portal.quizzes.interchange import (
    DEFAULT_PENALTY,
    Answer,
    QuestionData,
    QuestionFileError,
    SubQuestion,
)
from portal.quizzes.moodlexml import dump_moodlexml, parse_moodlexml
from portal.roles import SYSTEM, Role
from tests.utils.factories import make_user

FIXTURES = Path(__file__).parent / "fixtures" / "moodlexml"


def picture(fmt: str = "PNG", size=(6, 4), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save)
    return out.getvalue()


LOGO, LEAFLET = picture(), picture("JPEG", (8, 8), (10, 120, 200))
CRM = picture("GIF", (5, 5), (0, 0, 0))


def img(name: str) -> str:
    return f'<img src="@@PLUGINFILE@@/{name}" alt="{name}">'


def every_type() -> list[QuestionData]:
    """One question of each type the portal has, with Moodle's extras: images, marks, penalties, feedback."""
    common = {"category": "product/roaming", "questiontextformat": "html"}
    return [
        QuestionData(qtype="multichoice", name="Roaming plan", idnumber="MX-MC",
                     questiontext=f"<p>Which plan covers Asia? {img('leaflet.jpg')}</p>", single=True,
                     generalfeedback=f"<p>See the leaflet {img('leaflet.jpg')}</p>",
                     answers=[Answer("Asia Pass", 1.0, f"Right {img('logo.png')}"),
                              Answer("Home only", 0.0, "No"), Answer("Euro Pass", -0.5, "")],
                     tags=["product", "roaming"], defaultgrade=2.0, penalty=0.1,
                     images={"leaflet.jpg": LEAFLET, "logo.png": LOGO}, **common),
        QuestionData(qtype="multichoice", name="Both", idnumber="MX-MULTI", questiontext="<p>Pick both</p>",
                     single=False, answers=[Answer("A", 0.5), Answer("B", 0.5), Answer("C", -1.0)], **common),
        QuestionData(qtype="truefalse", name="Smile", idnumber="MX-TF",
                     questiontext=f"Callers hear a smile {img('crm.gif')}",
                     answers=[Answer("True", 1.0, "Yes"), Answer("False", 0.0, f"Look {img('crm.gif')}")],
                     images={"crm.gif": CRM}, penalty=1.0, **common),
        QuestionData(qtype="shortanswer", name="Code", idnumber="MX-SA", questiontext="The roaming code?",
                     answers=[Answer("RM1", 1.0, "Yes"), Answer("RM", 0.5, "Almost")], tags=["codes"], **common),
        QuestionData(qtype="numerical", name="Seconds", idnumber="MX-NUM", questiontext="How many seconds?",
                     answers=[Answer("250", 1.0, "Right", 20.0), Answer("*", 0.0, "Any other", 0.0)], **common),
        QuestionData(qtype="match", name="Pairs", idnumber="MX-MATCH", questiontext="Match them",
                     subquestions=[SubQuestion(f"Logo {img('logo.png')}", "Brand"), SubQuestion("Hello", "Opening"),
                                   SubQuestion("Bye", "Closing")], images={"logo.png": LOGO}, **common),
        QuestionData(qtype="essay", name="Apology", idnumber="MX-ESSAY", questiontext="Write an apology.",
                     generalfeedback="Be sincere.", defaultgrade=5.0, penalty=0.0, **common),
        QuestionData(qtype="description", name="Intro", idnumber="MX-DESC", category="product/roaming",
                     questiontext=f"Read this first {img('logo.png')}", questiontextformat="moodle",
                     defaultgrade=0.0, images={"logo.png": LOGO}),
    ]


def as_read(question: QuestionData) -> QuestionData:
    """What reading gives back: the canonical question (the bank's form) with its line left aside."""
    return replace(bank.validate_question(question), line=0)


def without_lines(questions: list[QuestionData]) -> list[QuestionData]:
    return [replace(q, line=0) for q in questions]


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(every_type())), ids=[q.qtype + "-" + q.idnumber for q in every_type()])
def test_each_question_type_round_trips_with_its_images(index):
    question = every_type()[index]
    text = dump_moodlexml([question])
    again = parse_moodlexml(text)
    assert without_lines(again) == [as_read(question)]
    assert again[0].images == question.images  # the very same bytes


def test_images_travel_inside_the_text_that_shows_them_as_moodle_writes_them():
    text = dump_moodlexml(every_type()[:1])
    questiontext = re.search(r"<questiontext.*?</questiontext>", text, re.DOTALL).group(0)
    assert '<file name="leaflet.jpg" path="/" encoding="base64">' in questiontext
    answer = re.search(r'<answer fraction="100".*?</answer>', text, re.DOTALL).group(0)
    assert '<file name="logo.png" path="/" encoding="base64">' in answer  # in the feedback that shows it
    assert "<penalty>0.1000000</penalty>" in text and "<defaultgrade>2.0000000</defaultgrade>" in text
    assert "<text>$course$/top/product/roaming</text>" in text and "<idnumber>MX-MC</idnumber>" in text


def test_through_the_bank_export_then_import_gives_the_same_questions(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    originals = every_type()
    assert sorted(bank.import_questions(session, trainer, originals, "en").created) == sorted(
        q.idnumber for q in originals)
    session.commit()
    exported = bank.export_questions(session, trainer, "moodlexml")
    assert exported.count == len(originals) and not exported.skipped
    read = {q.idnumber: replace(q, line=0) for q in parse_moodlexml(exported.text)}
    assert read == {q.idnumber: as_read(q) for q in originals}
    again = bank.import_questions(session, trainer, list(read.values()), "en")
    assert sorted(again.unchanged) == sorted(read) and not again.updated  # nothing new: same content, same images
    stored = session.exec(select(QuestionImage).where(QuestionImage.name == "leaflet.jpg")).one()
    assert stored.mime_type == "image/jpeg" and (stored.width, stored.height) == (8, 8) and stored.size == len(LEAFLET)


def test_a_changed_image_is_a_new_version(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    first = every_type()[2]
    bank.import_questions(session, trainer, [first], "en")
    result = bank.import_questions(session, trainer, [replace(first, images={"crm.gif": picture("GIF", (5, 5))})],
                                   "en")
    assert result.updated == ["MX-TF"]


def test_an_edit_in_the_form_keeps_the_images_its_text_still_shows(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    bank.import_questions(session, trainer, every_type()[:1], "en")
    question_id = bank.find_question_id(session, trainer, "MX-MC", "en")
    detail = bank.get_question(session, trainer, question_id)
    edited = replace(detail.data(), generalfeedback="No picture any more")  # as the form gives it: no files
    version = bank.save_version(session, trainer, question_id, edited, publish=True)
    assert set(bank.question_images(session, trainer, version.id)) == {"leaflet.jpg", "logo.png"}
    text_only = replace(edited, questiontext="<p>Which plan covers Asia?</p>",
                        answers=[replace(a, feedback="") for a in edited.answers])
    version = bank.save_version(session, trainer, question_id, text_only, publish=True)
    assert bank.question_images(session, trainer, version.id) == {}


# --- Moodle's own files -------------------------------------------------------------------


def read_fixture(name: str) -> list[QuestionData]:
    return read_question_file((FIXTURES / name).read_bytes(), None, name).questions


def test_moodles_nested_categories_file_imports_with_the_same_content():
    questions = read_fixture("nested_categories_with_questions.xml")
    assert [(q.qtype, q.name, q.category) for q in questions] == [
        ("truefalse", "Iota Question", "Iota"), ("essay", "Kappa Essay Question", "Iota/Kappa"),
        ("truefalse", "Kappa Question", "Iota/Kappa"), ("truefalse", "Lambda Question", "Iota/Kappa/Lambda"),
        ("truefalse", "Mu Question", "Iota/Mu")]
    iota, essay = questions[0], questions[1]
    assert iota.questiontext == "<p>Testing Iota Question</p>" and iota.questiontextformat == "html"
    assert [(a.text, a.fraction) for a in iota.answers] == [("True", 1.0), ("False", 0.0)]
    assert iota.penalty == 1.0 and iota.defaultgrade == 1.0
    assert essay.questiontextformat == "moodle" and essay.penalty == 0.0
    assert without_lines(parse_moodlexml(dump_moodlexml(questions))) == [as_read(q) for q in questions]


def test_moodles_html_characters_in_idnumbers_are_read_as_text():
    (question,) = read_fixture("html_chars_in_idnumbers.xml")
    assert question.idnumber == "T & F" and question.category == "Alpha"


def test_moodles_invalid_grades_file_is_rejected_naming_the_question_and_line():
    with pytest.raises(QuestionFileError) as caught:
        read_fixture("error_invalid_grades.xml")
    (problem,) = caught.value.problems
    assert problem.line == 38 and problem.params["number"] == 1 and "invalid grades" in problem.params["name"]
    assert problem.params["reason_key"] == "moodlexml.error.invalid_grade"
    assert "33%" in problem.message


def test_moodles_old_image_tag_file_the_cloze_is_refused_and_the_image_kept():
    with pytest.raises(QuestionFileError) as caught:
        read_fixture("sample_questions_with_old_image_tag.xml")
    assert [(p.line, p.params["number"], p.params["reason_params"].get("qtype")) for p in caught.value.problems] == [
        (16, 1, "cloze")]
    text = (FIXTURES / "sample_questions_with_old_image_tag.xml").read_text(encoding="utf-8")
    (mcq,) = parse_moodlexml(re.sub(r'<question type="cloze">.*?</question>', "", text, flags=re.DOTALL))
    assert mcq.questiontext.endswith(' <img src="@@PLUGINFILE@@/moodle.png" />')
    assert mcq.penalty == 0.1 and [a.text for a in mcq.answers] == ["wrong answer", "another wrong answer",
                                                                   "right answer"]
    assert Image.open(io.BytesIO(mcq.images["moodle.png"])).size == (16, 16)
    assert render.split_images(mcq.questiontext)[-1] == render.ImagePiece("moodle.png")


def test_the_format_is_found_from_the_extension_or_the_content():
    data = (FIXTURES / "html_chars_in_idnumbers.xml").read_bytes()
    assert read_question_file(data, None, "questions.xml").format == "moodlexml"
    assert read_question_file(data, None, "export.txt").format == "moodlexml"  # starts with <?xml


# --- hostile and malformed files ----------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="essay"><name><text>&lol3;</text></name></question></quiz>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&secret;</text></name>
<questiontext><text>x</text></questiontext></question></quiz>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entities_are_refused_with_a_clear_error(text):
    with pytest.raises(QuestionFileError) as caught:
        parse_moodlexml(text)
    (problem,) = caught.value.problems
    assert problem.key == "moodlexml.error.unsafe_xml" and "DTD or entities" in problem.message
    assert problem.line == 2  # where the DOCTYPE is
    assert "root:" not in str(caught.value)


def test_xml_that_is_not_well_formed_says_where():
    with pytest.raises(QuestionFileError) as caught:
        parse_moodlexml('<?xml version="1.0"?>\n<quiz>\n<question type="essay">\n</quiz>\n')
    (problem,) = caught.value.problems
    assert problem.line == 4 and problem.key == "moodlexml.error.not_xml"


def question_xml(body: str, qtype: str = "multichoice", name: str = "Q") -> str:
    return f'<question type="{qtype}"><name><text>{name}</text></name>{body}</question>'


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def with_file(name: str, data: bytes, text: str | None = None) -> str:
    shown = text if text is not None else img(name)
    return (f'<questiontext format="html"><text><![CDATA[{shown}]]></text>'
            f'<file name="{name}" path="/" encoding="base64">{base64.b64encode(data).decode()}</file></questiontext>'
            '<answer fraction="100"><text>Yes</text></answer><answer fraction="0"><text>No</text></answer>')


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def test_a_malformed_file_is_rejected_whole_with_each_problem_its_question_and_line():
    text = quiz(
        question_xml(with_file("logo.png", LOGO), name="Fine"),
        question_xml(with_file("evil.svg", SVG), name="Svg"),
        question_xml('<questiontext><text>x</text></questiontext><answer fraction="abc"><text>A</text></answer>',
                     name="Weights"),
        question_xml("<questiontext><text>x</text></questiontext>", qtype="calculated", name="Calc"),
        question_xml(with_file("sound.mp3", b"ID3\x03\x00\x00\x00", '<a href="@@PLUGINFILE@@/sound.mp3">x</a>'),
                     name="Sound"),
        question_xml('<questiontext format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/gone.png">]]></text>'
                     '</questiontext><answer fraction="100"><text>A</text></answer>', qtype="shortanswer",
                     name="Gone"))
    with pytest.raises(QuestionFileError) as caught:
        read_question_file(text.encode(), None, "bank.xml")
    found = [(p.line, p.params["number"], p.params["name"], p.params["reason_key"]) for p in caught.value.problems]
    assert found == [
        (4, 2, "Svg", "moodlexml.error.image_not_image"),
        (5, 3, "Weights", "moodlexml.error.not_a_number"),
        (6, 4, "Calc", "moodlexml.error.unsupported_type"),
        (7, 5, "Sound", "moodlexml.error.image_not_image"),
        (8, 6, "Gone", "moodlexml.error.file_missing"),
    ]
    assert caught.value.key == "quizbank.import.rejected"
    assert 'line 4: Question 2 ("Svg"): the file "evil.svg" is not a PNG, JPEG, GIF or WebP image' in str(caught.value)


def test_a_question_breaking_the_banks_rules_is_named_by_number():
    text = quiz(question_xml('<questiontext><text>x</text></questiontext><answer fraction="0"><text>A</text>'
                             '</answer><answer fraction="0"><text>B</text></answer>', name="No right answer"))
    with pytest.raises(QuestionFileError) as caught:
        parse_moodlexml(text)
    assert [p.params["reason_key"] for p in caught.value.problems] == ["interchange.error.no_right_answer"]
    assert 'Question 1 ("No right answer"): The question has no right answer worth 100%.' in str(caught.value)


def test_problems_read_in_chinese():
    with pytest.raises(QuestionFileError) as caught:
        parse_moodlexml(BILLION_LAUGHS)
    assert "拒绝导入" in bank.problem_reason(caught.value.problems[0], "zh-CN")


# --- images: only clean pictures ----------------------------------------------------------


def png_with_metadata() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Jane Trainer, 12 Secret Street")
    return picture("PNG", pnginfo=info) + b"hidden payload after IEND"


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 32.0, 0.0)}  # GPS
    exif[0x010E] = "taken at home"
    return picture("JPEG", exif=exif.tobytes())


@pytest.mark.parametrize("make", [png_with_metadata, jpeg_with_gps], ids=["png-text-and-trailer", "jpeg-exif-gps"])
def test_metadata_and_hidden_bytes_are_removed(make):
    raw = make()
    cleaned = clean_image("x.png" if raw.startswith(b"\x89PNG") else "x.jpg", raw)
    assert b"Secret Street" not in cleaned.data and b"hidden payload" not in cleaned.data
    assert b"taken at home" not in cleaned.data and b"Exif" not in cleaned.data
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert not ({"exif", "Author", "icc_profile"} & set(reopened.info)) and reopened.size == (6, 4)
    assert clean_image(cleaned.name, cleaned.data).data == cleaned.data  # cleaning again changes nothing


def test_a_clean_image_is_kept_byte_for_byte():
    for name, data in (("a.png", LOGO), ("a.jpg", LEAFLET), ("a.gif", CRM), ("a.webp", picture("WEBP"))):
        assert clean_image(name, data).data == data


@pytest.mark.parametrize("name,data,key", [
    ("evil.svg", SVG, "moodlexml.error.image_not_image"),
    ("logo.png", b"\x89PNG\r\n\x1a\nnot really", "moodlexml.error.image_not_image"),
    ("logo.png", LEAFLET, "moodlexml.error.image_wrong_extension"),
    ("../../etc/logo.png", LOGO, "moodlexml.error.image_bad_name"),
    ("big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "moodlexml.error.image_too_large"),
    ("bomb.png", picture("PNG", (6000, 6000), (0, 0, 0)), "moodlexml.error.image_too_many_pixels"),
], ids=["svg", "broken-png", "jpeg-named-png", "path-in-name", "over-2mb", "decompression-bomb"])
def test_files_that_are_not_clean_pictures_are_refused(name, data, key):
    with pytest.raises(ImageRefused) as caught:
        clean_image(name, data)
    assert caught.value.key == key


# --- who sees a question's images ---------------------------------------------------------


@pytest.fixture
def pictured(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    bank.import_questions(session, trainer, every_type()[:1], "en")
    version = bank.serve_version(session, "MX-MC", "en")
    session.commit()
    return trainer, version


def sit(session, person, version) -> None:
    exam = Exam(code=f"EX-{person.id}", kind="written", title_en="Roaming", title_zh="漫游")
    session.add(exam)
    session.flush()
    attempt = Attempt(exam_id=exam.id, user_id=person.id)
    session.add(attempt)
    session.flush()
    session.add(AttemptAnswer(attempt_id=attempt.id, slot=1, idnumber="MX-MC", question_version_id=version.id))
    session.flush()


def test_a_trainer_sees_the_images_an_agent_only_those_of_questions_served_to_them(session, pictured):
    trainer, version = pictured
    agent, other = make_user(session, "agnes", Role.AGENT), make_user(session, "oscar", Role.AGENT)
    assert set(bank.question_images(session, trainer, version.id)) == {"leaflet.jpg", "logo.png"}
    with pytest.raises(NotFound):  # the exam holding it is not theirs: the same answer as no such version
        bank.question_images(session, agent, version.id)
    sit(session, other, version)
    with pytest.raises(NotFound):
        bank.question_images(session, agent, version.id)
    sit(session, agent, version)
    assert bank.question_images(session, agent, version.id)["logo.png"].data == LOGO
    reviewer = make_user(session, "rita", Role.NEWHIRE)
    session.add(ReviewCard(user_id=reviewer.id, idnumber="MX-MC", card="{}", due_at=version.created_at))
    session.flush()  # a question due in their spaced review is served to them too
    assert set(bank.question_images(session, reviewer, version.id)) == {"leaflet.jpg", "logo.png"}
    with pytest.raises(NotFound):
        bank.question_images(session, agent, version.id + 1000)


def test_people_outside_learning_and_the_bank_are_refused(session, pictured):
    _, version = pictured
    with pytest.raises(PermissionDenied):
        bank.question_images(session, make_user(session, "quinn", Role.QA), version.id)


# --- the command line ---------------------------------------------------------------------


def test_cli_imports_and_exports_moodle_xml(engine, capsys, tmp_path):
    source = tmp_path / "bank.xml"
    source.write_text(dump_moodlexml(every_type()), encoding="utf-8")
    assert main(["quiz", "import", str(source), "--format", "moodlexml"]) == 0
    assert "8 questions: 8 new" in capsys.readouterr().out
    assert main(["quiz", "export", "--format", "moodlexml"]) == 0
    exported = parse_moodlexml(capsys.readouterr().out)
    assert {q.idnumber: replace(q, line=0) for q in exported} == {q.idnumber: as_read(q) for q in every_type()}


def test_cli_lists_each_problem_with_its_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as stopped:
        main(["quiz", "import", str(FIXTURES / "error_invalid_grades.xml"), "--dry-run"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "error_invalid_grades.xml:38: Question 1" in err and "not one of Moodle's grades" in err


def test_an_unwritable_weight_is_skipped_on_export_and_said(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    odd = replace(every_type()[1], idnumber="MX-ODD", answers=[Answer("A", 0.33), Answer("B", 0.67)])
    bank.import_questions(session, trainer, [odd, every_type()[3]], "en")
    result = bank.export_questions(session, trainer, "moodlexml")
    assert result.count == 1 and [p.key for p in result.skipped] == ["moodlexml.error.export_grade"]
    assert [q.idnumber for q in parse_moodlexml(result.text)] == ["MX-SA"]
    assert DEFAULT_PENALTY == parse_moodlexml(result.text)[0].penalty


# --- learners see the images in an exam (AppTest on the demo center) ------------------------


def test_a_new_hire_sees_the_image_of_an_exam_question_drawn_from_its_bytes(demo_engine):
    from sqlmodel import Session, delete

    from portal.models import ExamSlot
    from tests.utils.apptest import app_as, errors_of
    from tests.utils.exam_papers import PRODUCT

    with Session(demo_engine) as session:
        bank.import_questions(session, SYSTEM, [replace(every_type()[0], idnumber="IMG-001")], "en")
        exam = session.exec(select(Exam).where(Exam.code == PRODUCT)).one()
        session.exec(delete(ExamSlot).where(ExamSlot.exam_id == exam.id))
        session.add(ExamSlot(exam_id=exam.id, slot=1, idnumber="IMG-001", mark=2.0))
        session.commit()
    at = app_as(demo_engine, "newhire").run()
    at.switch_page("pages/training_exams.py").run()
    next(b for b in at.button if b.label == "Start exam").click().run()
    at.button(key="confirm_start").click().run()
    assert not errors_of(at), errors_of(at)
    assert len(at.get("image")) == 1  # the leaflet in the question text, drawn with st.image
    assert [m.value for m in at.markdown if "Asia" in m.value] == ["<div><p>Which plan covers Asia? </p></div>"]
    assert "<div><p></p></div>" not in [m.value for m in at.markdown]  # no empty block after the image
    assert not any("is missing" in c.value for c in at.caption)


# --- fuzzing: any file is read or refused with problems, never a crash ------------------------

EXPORTED = dump_moodlexml(every_type())
ELEMENTS = ["<question type=\"multichoice\">", "</question>", "<answer fraction=\"100\">", "<text>", "</text>",
            "<file name=\"a.png\" encoding=\"base64\">", "</file>", "<!DOCTYPE x>", "&amp;", "]]>", "<![CDATA[",
            "@@PLUGINFILE@@/a.png", "<subquestion>", "<tolerance>", "abc", "1e999", "-100", "类"]


@st.composite
def damaged_files(draw):
    """The export of every type, cut, with pieces removed and Moodle XML fragments dropped in."""
    text = EXPORTED
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = min(len(text), start + draw(st.integers(0, 400)))
        text = text[:start] + draw(st.sampled_from(["", *ELEMENTS])) + text[end:]
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=damaged_files())
def test_a_damaged_file_is_read_or_refused_with_problems_never_a_crash(text):
    try:
        questions = parse_moodlexml(text)
    except QuestionFileError as error:
        assert error.problems and all(problem.line >= 1 for problem in error.problems)
    else:
        assert all(isinstance(question, QuestionData) for question in questions)


def test_the_demo_bank_round_trips_through_moodle_xml_in_both_languages(demo_session):
    for language in ("en", "zh-CN"):
        exported = bank.export_questions(demo_session, SYSTEM, "moodlexml", language=language)
        gift = bank.export_questions(demo_session, SYSTEM, "gift", language=language)
        assert exported.count == gift.count > 50 and not exported.skipped
        again = bank.import_questions(demo_session, SYSTEM, parse_moodlexml(exported.text), language)
        assert again.total == exported.count and not again.created and not again.updated


def test_trainer_exports_moodle_xml_from_the_bank_page(demo_engine):
    from tests.utils.apptest import app_as, errors_of

    at = app_as(demo_engine, "trainer", language="zh-CN").run()
    at.switch_page("pages/authoring_questions.py").run()
    at.radio(key="qb_view").set_value("export").run()
    at.radio(key="qb_export_format").set_value("moodlexml").run()
    assert not errors_of(at), errors_of(at)
    assert "Moodle XML" in at.radio(key="qb_export_format").options
    assert int(at.metric[0].value) > 50 and len(at.get("download_button")) == 1


def test_an_edit_on_the_page_keeps_marks_penalty_and_images(demo_engine):
    from sqlmodel import Session

    from tests.utils.apptest import app_as, errors_of

    with Session(demo_engine) as session:
        bank.import_questions(session, SYSTEM, [replace(every_type()[0], idnumber="IMG-002")], "en")
        session.commit()
        question_id = bank.find_question_id(session, SYSTEM, "IMG-002", "en")
    at = app_as(demo_engine, "trainer").run()
    at.session_state["qb_next_view"], at.session_state["qb_selected"] = "edit", question_id
    at.switch_page("pages/authoring_questions.py").run()
    assert not errors_of(at), errors_of(at)
    assert len(at.get("image")) == 1  # the preview shows the stored leaflet
    key = f"qb-{question_id}-v1"
    at.text_input(key=f"{key}-name").input("Roaming plan, 2027").run()
    at.button(key=f"{key}-publish").click().run()
    assert not errors_of(at) and not at.error
    with Session(demo_engine) as session:
        version = bank.serve_version(session, "IMG-002", "en")
        data = bank.get_question(session, SYSTEM, question_id).data(version)
        assert (version.version, data.name, data.defaultgrade, data.penalty) == (2, "Roaming plan, 2027", 2.0, 0.1)
        assert set(bank.question_images(session, SYSTEM, version.id)) == {"leaflet.jpg", "logo.png"}


def test_a_translation_made_in_the_form_keeps_the_images_of_its_source(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    bank.import_questions(session, trainer, every_type()[:1], "en")
    source_id = bank.find_question_id(session, trainer, "MX-MC", "en")
    chinese = replace(bank.get_question(session, trainer, source_id).data(), name="漫游套餐",
                      questiontext=f"<p>哪个套餐覆盖亚洲？ {img('leaflet.jpg')}</p>")
    version = bank.create_translation(session, trainer, source_id, "zh-CN", chinese)
    assert set(bank.question_images(session, trainer, version.id)) == {"leaflet.jpg", "logo.png"}
