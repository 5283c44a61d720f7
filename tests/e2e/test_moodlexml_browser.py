"""A trainer imports a Moodle XML file with an image in the question bank page, sees the question
previewed with its image, imports it once (a double click saves nothing twice), then sees broken and
hostile files refused with every problem and its place, in English and in Chinese. In a real browser."""
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from portal.models import Question, QuestionImage
from portal.quizzes.interchange import Answer, QuestionData
from portal.quizzes.moodlexml import dump_moodlexml
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def leaflet() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 120), (220, 40, 40)).save(out, "PNG")
    return out.getvalue()


def moodle_file(folder: Path) -> Path:
    questions = [
        QuestionData(qtype="multichoice", name="Roaming leaflet", idnumber="MXB-1", category="product/roaming",
                     questiontext='<p>Which pass does this leaflet sell? <img src="@@PLUGINFILE@@/leaflet.png" '
                                  'alt="Roaming leaflet"></p>', questiontextformat="html", single=True,
                     answers=[Answer("Asia Pass", 1.0, "Right"), Answer("Home only", 0.0, "No")],
                     images={"leaflet.png": leaflet()}, tags=["roaming"], penalty=0.1),
        QuestionData(qtype="truefalse", name="漫游需要开通", idnumber="MXB-2",
                     questiontext="出国前需要开通漫游。",
                     answers=[Answer("True", 1.0), Answer("False", 0.0)]),
    ]
    path = folder / "moodle-roaming.xml"
    path.write_text(dump_moodlexml(questions), encoding="utf-8")
    return path


def broken_file(folder: Path) -> Path:
    path = folder / "broken.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        '<question type="calculated"><name><text>Tariff</text></name></question>\n'
        '<question type="multichoice"><name><text>Svg</text></name><questiontext format="html">'
        '<text><![CDATA[<img src="@@PLUGINFILE@@/x.svg">]]></text>'
        '<file name="x.svg" path="/" encoding="base64">PHN2Zy8+</file></questiontext></question>\n'
        "</quiz>\n", encoding="utf-8")
    return path


def hostile_file(folder: Path) -> Path:
    path = folder / "laughs.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
                    "<quiz><question type=\"essay\"><name><text>&b;</text></name></question></quiz>\n",
                    encoding="utf-8")
    return path


def open_import(page) -> None:
    page.get_by_test_id("stSidebar").locator("a").filter(has_text="Question bank").or_(
        page.get_by_test_id("stSidebar").locator("a").filter(has_text="题库")).first.click()
    page.locator("[data-testid='stRadio'] label").filter(has_text="Import").or_(
        page.locator("[data-testid='stRadio'] label").filter(has_text="导入")).first.click()
    page.locator("input[type='file']").wait_for(state="attached")


def test_trainer_imports_moodle_xml_with_an_image_and_sees_problems_in_both_languages(app_server, page, tmp_path,
                                                                                      demo_engine):
    sign_in(page, app_server, "trainer")
    open_import(page)
    page.locator("input[type='file']").set_input_files(str(moodle_file(tmp_path)))
    page.get_by_text("moodle-roaming.xml: 2 questions read and checked").wait_for()
    page.get_by_text("1 image, checked and cleaned").wait_for()
    picture = page.get_by_test_id("stImage").locator("img").first
    picture.wait_for()
    assert picture.evaluate("img => img.naturalWidth") == 240  # drawn from the file's bytes
    page.get_by_text("Which pass does this leaflet sell?").wait_for()
    picture.scroll_into_view_if_needed()
    screenshot(page, "moodlexml-import-preview-en")

    save = page.get_by_role("button", name="Import 2 questions in English")
    save.dblclick()
    page.get_by_text(", 0 updated,").first.wait_for()
    with Session(demo_engine) as session:
        saved = session.exec(select(Question).where(Question.idnumber.in_(["MXB-1", "MXB-2"]))).all()
        assert len(saved) == 2  # a double click saves nothing twice
        (image,) = session.exec(select(QuestionImage).where(QuestionImage.name == "leaflet.png")).all()
        assert (image.width, image.height) == (240, 120)

    page.locator("input[type='file']").set_input_files(str(broken_file(tmp_path)))
    page.get_by_text("broken.xml was not imported; problems found: 2").wait_for()
    page.get_by_text('Line 3: Question 1 ("Tariff"): the question type "calculated" cannot be imported').wait_for()
    page.get_by_text('Line 4: Question 2 ("Svg"): the file "x.svg" is not a PNG, JPEG, GIF or WebP image').wait_for()
    screenshot(page, "moodlexml-import-broken-en")
    page.reload()  # nothing of the refused file stays, nothing was saved
    page.get_by_role("heading", name="Question bank").wait_for()
    open_import(page)
    assert not page.get_by_text("broken.xml was not imported").count()

    page.get_by_test_id("stSidebar").get_by_text("My account").click()
    page.get_by_text("简体中文").click()
    page.get_by_test_id("stSidebar").get_by_text("我的账户").wait_for()
    open_import(page)
    page.locator("input[type='file']").set_input_files(str(hostile_file(tmp_path)))
    page.get_by_text("laughs.xml 未导入，发现 1 个问题").wait_for()
    page.get_by_text("第 2 行：文件声明了 DTD 或实体").wait_for()
    screenshot(page, "moodlexml-import-hostile-zh")
