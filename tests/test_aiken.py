"""Aiken import/export (portal.quizzes.aiken) and format detection (portal.quizzes.detect)."""
from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.quizzes.aiken import dump_aiken, parse_aiken
from portal.quizzes.detect import choose_format, looks_like_aiken, parse_question_file
from portal.quizzes.interchange import Answer, QuestionData, QuestionFileError, php_trim

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_AIKEN = (FIXTURES / "aiken" / "good.txt").read_text(encoding="utf-8")
GOOD_GIFT = (FIXTURES / "gift" / "good.gift").read_text(encoding="utf-8")


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(QuestionFileError) as caught:
        parse_aiken(text)
    return [(p.line, p.key.removeprefix("interchange.error.")) for p in caught.value.problems]


# --- reading -----------------------------------------------------------------------


def test_reads_single_answer_multichoice():
    (q,) = parse_aiken(
        "Which tariff plan includes unlimited mobile data?\n"
        "A. Basic 5GB\n"
        "B. Max Unlimited\n"
        "C. Family Share 20GB\n"
        "ANSWER: B\n"
    )
    assert q.qtype == "multichoice"
    assert q.single is True
    assert q.name == "Which tariff plan includes unlimited mobile data?"
    assert q.questiontext == "Which tariff plan includes unlimited mobile data?"
    assert q.questiontextformat == "html"
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("Basic 5GB", 0.0, ""),
        ("Max Unlimited", 1.0, ""),
        ("Family Share 20GB", 0.0, ""),
    ]
    assert q.generalfeedback == "" and q.category == "" and q.tags == []
    assert q.line == 1


def test_good_fixture():
    questions = parse_aiken(GOOD_AIKEN)
    assert [q.line for q in questions] == [1, 7, 13, 18, 24]
    assert [next(i for i, a in enumerate(q.answers) if a.fraction == 1) for q in questions] == [1, 1, 0, 1, 0]
    assert questions[1].answers[1].text == "Twice"
    assert questions[4].questiontext == "客户出国前应检查什么？"
    assert questions[4].answers[0].text == "是否已开通国际漫游"


def test_parenthesis_and_dot_labels_and_missing_space():
    (q,) = parse_aiken("Speech rate?\nA)180 to 250 a minute\nB.\t300 a minute\nANSWER: A")
    assert [a.text for a in q.answers] == ["180 to 250 a minute", "300 a minute"]


def test_text_is_html_escaped_like_moodle():
    (q,) = parse_aiken("Is <b>bold</b> & \"quoted\" fine?\nA. Yes & no\nB. <No>\nANSWER: A")
    assert q.questiontext == "Is &lt;b&gt;bold&lt;/b&gt; &amp; \"quoted\" fine?"
    assert [a.text for a in q.answers] == ["Yes &amp; no", "&lt;No&gt;"]
    assert q.name == 'Is bold & "quoted" fine?'


def test_blank_lines_windows_endings_and_lowercase_answer_line():
    (q,) = parse_aiken("\r\nIdentity first?\r\n\r\nA. Yes\r\nB. No\r\n\r\nanswer : a\r\n")
    assert q.answers[0].fraction == 1.0
    assert q.line == 2


def test_questions_need_no_blank_line_between_them():
    questions = parse_aiken("Q1?\nA. a\nB. b\nANSWER: A\nQ2?\nA. c\nB. d\nANSWER: B")
    assert [q.line for q in questions] == [1, 5]


def test_empty_file_has_no_questions():
    assert parse_aiken("") == []
    assert parse_aiken("\n   \n") == []


# --- errors ---------------------------------------------------------------------------


def test_malformed_fixture_reports_every_problem_with_its_line():
    text = (FIXTURES / "aiken" / "malformed.txt").read_text(encoding="utf-8")
    assert problems_of(text) == [
        (1, "aiken_not_started"),
        (4, "aiken_option_order"),
        (7, "aiken_missing_answer"),
        (15, "aiken_too_few_options"),
        (20, "aiken_invalid_answer_line"),
    ]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("ANSWER: A", [(1, "aiken_not_started")]),
        ("Q?\nA. a\nB. b", [(1, "aiken_missing_answer")]),
        ("Q?\nA. a\nB. b\nANSWER: C", [(4, "aiken_answer_not_an_option")]),
        ("Q?\nA. a\nB. b\nANSWER:", [(4, "aiken_invalid_answer_line")]),
        ("Q?\nA. a\nB. b\nANSWER: A B", [(4, "aiken_invalid_answer_line")]),
        ("Q?\nA. a\nB.\nANSWER: A", [(3, "empty_answer")]),
        ("Q?\nB. a\nA. b\nANSWER: A", [(2, "aiken_option_order"), (3, "aiken_option_order")]),
        ("Q?\nANSWER: A", [(2, "aiken_too_few_options")]),
        ("Roaming is\nincluded.\nA. True\nB. False\nANSWER: A", [(1, "aiken_missing_answer")]),
    ],
)
def test_problem_lines_and_reasons(source, expected):
    assert problems_of(source) == expected


def test_one_bad_question_rejects_the_whole_file():
    with pytest.raises(QuestionFileError) as caught:
        parse_aiken(GOOD_AIKEN + "\nLast question?\nA. only one\nANSWER: A\n")
    assert [p.line for p in caught.value.problems] == [len(GOOD_AIKEN.splitlines()) + 4]
    assert str(caught.value) == (
        f"line {len(GOOD_AIKEN.splitlines()) + 4}: An Aiken question needs at least 2 options, found 1."
    )


# --- writing ----------------------------------------------------------------------------


def test_round_trip_of_good_fixture():
    questions = parse_aiken(GOOD_AIKEN)
    written = dump_aiken(questions)
    assert parse_aiken(written) == questions
    assert written.splitlines()[:5] == [
        "Which tariff plan includes unlimited mobile data?",
        "A. Basic 5GB",
        "B. Max Unlimited",
        "C. Family Share 20GB",
        "ANSWER: B",
    ]


def test_truefalse_is_written_as_true_false_options():
    tf = QuestionData("truefalse", "ID", "Verify identity before account details.",
                      answers=[Answer("True", 1.0), Answer("False", 0.0)])
    roaming = QuestionData("truefalse", "EU", "EU roaming costs extra.",
                           answers=[Answer("True", 0.0), Answer("False", 1.0)])
    assert dump_aiken([tf, roaming]) == (
        "Verify identity before account details.\nA. True\nB. False\nANSWER: A\n\n"
        "EU roaming costs extra.\nA. True\nB. False\nANSWER: B\n"
    )


def test_html_is_written_as_one_line_of_plain_text():
    q = QuestionData(
        "multichoice", "Plan", "<p>Which plan has <b>no</b> cap?</p>\n<p>Pick one &amp; only one.</p>",
        questiontextformat="html", single=True,
        answers=[Answer("<i>Max</i> Unlimited", 1.0, "feedback is dropped"), Answer("Basic &lt;5GB&gt;", 0.0)],
        generalfeedback="dropped too",
    )
    assert dump_aiken([q]) == (
        "Which plan has no cap? Pick one & only one.\nA. Max Unlimited\nB. Basic <5GB>\nANSWER: A\n"
    )


def test_plain_text_is_kept_as_is():
    q = QuestionData("multichoice", "P", "Is <this> a tag?", questiontextformat="plain", single=True,
                     answers=[Answer("No", 1.0), Answer("Yes", 0.0)])
    assert dump_aiken([q]).splitlines()[0] == "Is <this> a tag?"


def test_export_rejects_what_aiken_cannot_hold_and_names_each_question():
    questions = [
        QuestionData("shortanswer", "Plan name", "Which plan?", answers=[Answer("Max", 1.0)]),
        QuestionData("multichoice", "Pick two", "Accepted ID?", single=False,
                     answers=[Answer("Passport", 0.5), Answer("ID card", 0.5), Answer("Library card", 0)]),
        QuestionData("multichoice", "Partial", "Best reply?", single=True,
                     answers=[Answer("a", 1.0), Answer("b", 0.5)]),
        QuestionData("truefalse", "Odd TF", "Q?", answers=[Answer("Yes", 1.0), Answer("No", 0.0)]),
        QuestionData("multichoice", "Looks like option", "A. starts like an option", single=True,
                     answers=[Answer("a", 1.0), Answer("b", 0.0)]),
        QuestionData("multichoice", "Empty option", "Q?", single=True,
                     answers=[Answer("<br>", 1.0), Answer("b", 0.0)]),
        QuestionData("multichoice", "Too many", "Q?", single=True,
                     answers=[Answer(str(i), 1.0 if i == 0 else 0.0) for i in range(27)]),
        QuestionData("multichoice", "Fine", "Q?", single=True, answers=[Answer("a", 1.0), Answer("b", 0.0)]),
    ]
    with pytest.raises(QuestionFileError) as caught:
        dump_aiken(questions)
    found = [(p.key.removeprefix("interchange.error."), p.params["name"]) for p in caught.value.problems]
    assert found == [
        ("export_unsupported_qtype", "Plan name"),
        ("export_not_single_choice", "Pick two"),
        ("export_not_single_choice", "Partial"),
        ("export_bad_truefalse", "Odd TF"),
        ("export_aiken_text", "Looks like option"),
        ("export_aiken_text", "Empty option"),
        ("export_too_many_options", "Too many"),
    ]
    assert 'Question "Plan name": shortanswer questions cannot be exported to Aiken.' in str(caught.value)


def test_dump_of_nothing_is_empty():
    assert dump_aiken([]) == ""


# --- detection ----------------------------------------------------------------------------


def test_explicit_format_wins():
    assert choose_format(GOOD_AIKEN, fmt="gift") == "gift"
    assert choose_format(GOOD_GIFT, fmt="AIKEN", filename="quiz.gift") == "aiken"
    with pytest.raises(ValueError):
        choose_format("x", fmt="qti")


def test_extension_decides_when_it_is_clear():
    assert choose_format(GOOD_AIKEN, filename="quiz.gift") == "gift"
    assert choose_format(GOOD_GIFT, filename="quiz.aiken") == "aiken"
    assert choose_format(GOOD_AIKEN, filename="C:/exports/Quiz.TXT") == "aiken"
    assert choose_format(GOOD_GIFT, filename="moodle-export.txt") == "gift"


def test_content_sniffing_without_a_filename():
    assert looks_like_aiken(GOOD_AIKEN)
    assert not looks_like_aiken(GOOD_GIFT)
    assert choose_format(GOOD_AIKEN) == "aiken"
    assert choose_format(GOOD_GIFT, filename="upload.dat") == "gift"
    assert choose_format("") == "gift"


def test_parse_question_file_uses_the_chosen_reader():
    assert parse_question_file(GOOD_AIKEN, filename="quiz.txt") == parse_aiken(GOOD_AIKEN)
    assert parse_question_file(GOOD_GIFT) == parse_question_file(GOOD_GIFT, fmt="gift")
    with pytest.raises(QuestionFileError):
        parse_question_file("Q?\nA. a\nB. b\nANSWER: Z", fmt="aiken")


# --- property tests ----------------------------------------------------------------------

LINE_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")
FUZZ_PIECES = st.sampled_from(
    ["A. ", "B) ", "C.", "ANSWER: A", "ANSWER: B", "answer:c", "\n", "\n\n", "Q?", "中文", "x", " ", "&", "<b>", "\r"]
)
FUZZ_TEXT = st.lists(FUZZ_PIECES, max_size=30).map("".join) | st.text(max_size=80)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FUZZ_TEXT)
def test_fuzz_parse_returns_questions_or_raises_question_file_error(text):
    try:
        result = parse_aiken(text)
    except QuestionFileError as error:
        assert error.problems and all(p.line >= 1 for p in error.problems)
        return
    assert isinstance(result, list)
    assert parse_aiken(dump_aiken(result)) == result


def _line(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(LINE_CHARS, min_size=min_size, max_size=20).map(php_trim).filter(bool)


@st.composite
def plain_single_choice(draw) -> QuestionData:
    options = draw(st.lists(_line(), min_size=2, max_size=6))
    right = draw(st.integers(0, len(options) - 1))
    return QuestionData(
        "multichoice", "n", draw(_line()), questiontextformat="plain", single=True,
        answers=[Answer(text, 1.0 if i == right else 0.0) for i, text in enumerate(options)],
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(plain_single_choice(), max_size=4))
def test_generated_questions_survive_dump_and_parse(generated):
    try:
        written = dump_aiken(generated)
    except QuestionFileError as error:
        # Only texts Aiken cannot hold (looking like an option or ANSWER line) are refused.
        assert {p.key for p in error.problems} == {"interchange.error.export_aiken_text"}
        return
    back = parse_aiken(written)
    assert len(back) == len(generated)
    for original, read in zip(generated, back):
        assert read.questiontext == html.escape(original.questiontext, quote=False)
        assert [a.text for a in read.answers] == [html.escape(a.text, quote=False) for a in original.answers]
        assert [a.fraction for a in read.answers] == [a.fraction for a in original.answers]
