"""GIFT import/export (portal.quizzes.gift) and the shared interchange model."""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.quizzes.gift import category_path, dump_gift, escape, parse_gift, unescape
from portal.quizzes.interchange import (
    LOCALES_DIR,
    Answer,
    QuestionData,
    QuestionFileError,
    SubQuestion,
    default_question_name,
    load_catalog,
    php_trim,
    render_message,
)

FIXTURES = Path(__file__).parent / "fixtures" / "gift"
PORTAL_QUIZZES = Path(__file__).parent.parent / "portal" / "quizzes"


def one(text: str) -> QuestionData:
    questions = parse_gift(text)
    assert len(questions) == 1, questions
    return questions[0]


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(QuestionFileError) as caught:
        parse_gift(text)
    return [(p.line, p.key.removeprefix("interchange.error.")) for p in caught.value.problems]


def texts_of(question: QuestionData) -> list[tuple[str, float, str]]:
    return [(a.text, a.fraction, a.feedback) for a in question.answers]


# --- multiple choice ------------------------------------------------------------


def test_multichoice_with_title_feedback_and_general_feedback():
    q = one(
        "::Unlimited data::Which tariff plan includes unlimited mobile data?{\n"
        "=Max Unlimited#No data cap.\n"
        "~Basic 5GB#Stops at 5 GB.\n"
        "~Family Share 20GB\n"
        "####Check the tariff sheet.\n"
        "}"
    )
    assert q.qtype == "multichoice"
    assert q.name == "Unlimited data"
    assert q.questiontext == "Which tariff plan includes unlimited mobile data?"
    assert q.questiontextformat == "moodle"
    assert q.single is True
    assert texts_of(q) == [
        ("Max Unlimited", 1.0, "No data cap."),
        ("Basic 5GB", 0.0, "Stops at 5 GB."),
        ("Family Share 20GB", 0.0, ""),
    ]
    assert q.generalfeedback == "Check the tariff sheet."
    assert q.line == 1


def test_weights_negative_and_decimal_make_multiple_answer_question():
    q = one(
        "Which details prove a caller's identity?{"
        "~%33.33333%Full name ~%33.33333%Date of birth ~%33.33333%Customer PIN "
        "~%-50%Favourite colour#Never accepted. ~%-100%Their word for it}"
    )
    assert q.single is False  # no "=" answer: Moodle enables several answers
    assert [a.fraction for a in q.answers] == [0.3333333, 0.3333333, 0.3333333, -0.5, -1.0]
    assert q.answers[3].feedback == "Never accepted."


def test_single_choice_keeps_partial_credit_like_moodle():
    # Moodle sets single=1 whenever an "=" answer exists, even with weighted "~".
    q = one("Best reply to a roaming complaint?{=Check the roaming add-on ~%50%Apologise ~Hang up}")
    assert q.single is True
    assert [a.fraction for a in q.answers] == [1.0, 0.5, 0.0]


def test_several_full_credit_answers_in_single_choice():
    q = one("Which plans include EU roaming?{=Max Unlimited =Family Share ~Basic 5GB}")
    assert q.single is True
    assert [a.fraction for a in q.answers] == [1.0, 1.0, 0.0]


def test_multichoice_answers_on_one_line_and_tilde_first():
    q = one("Speech rate for a clear call?{~100 a minute ~400 a minute =200 a minute}")
    assert [a.text for a in q.answers] == ["100 a minute", "400 a minute", "200 a minute"]
    assert q.answers[2].fraction == 1.0


def test_weight_with_spaces_and_dot_decimal():
    q = one("Rate?{~ %12.5% A ~%87.5%B}")
    assert [a.fraction for a in q.answers] == [0.125, 0.875]
    assert q.single is False


def test_missing_word_puts_blank_where_the_block_was():
    q = one("Before a customer travels, check that roaming is {~disabled =enabled ~barred} on the line.")
    assert q.questiontext == "Before a customer travels, check that roaming is _____ on the line."
    assert q.qtype == "multichoice"


def test_block_at_the_end_leaves_no_blank():
    q = one("Offer a promotion at most how often per call? {=twice ~three times}")
    assert q.questiontext == "Offer a promotion at most how often per call?"


# --- true/false -----------------------------------------------------------------


@pytest.mark.parametrize("word, true_fraction", [("T", 1.0), ("TRUE", 1.0), ("F", 0.0), ("FALSE", 0.0)])
def test_truefalse_words(word, true_fraction):
    q = one(f"You must verify the caller's identity before giving account details.{{{word}}}")
    assert q.qtype == "truefalse"
    assert [(a.text, a.fraction) for a in q.answers] == [
        ("True", true_fraction),
        ("False", 1.0 - true_fraction),
    ]
    assert q.single is None


def test_truefalse_wrong_and_right_feedback():
    q = one("Customers pay extra for roaming in the EU.{F#It is included: roam like at home.#Correct.}")
    # Answer "False" is right: it carries the right feedback, "True" the wrong one.
    assert texts_of(q) == [
        ("True", 0.0, "It is included: roam like at home."),
        ("False", 1.0, "Correct."),
    ]


def test_truefalse_with_only_right_feedback_and_general_feedback():
    q = one("Identity first.{TRUE##Well done.####Policy ID-7.}")
    assert texts_of(q) == [("True", 1.0, "Well done."), ("False", 0.0, "")]
    assert q.generalfeedback == "Policy ID-7."


# --- short answer ---------------------------------------------------------------


def test_shortanswer_with_weights_and_feedback():
    q = one(
        "::Plan name::Which plan has no data cap?{\n"
        "=Max Unlimited#Exactly.\n"
        "=%50%Max#Say the full name.\n"
        "=%-10%Unlimited\n}"
    )
    assert q.qtype == "shortanswer"
    assert texts_of(q) == [
        ("Max Unlimited", 1.0, "Exactly."),
        ("Max", 0.5, "Say the full name."),
        ("Unlimited", -0.1, ""),
    ]


def test_shortanswer_missing_word():
    q = one("Roaming in Switzerland is billed in zone {=2 =two} of our tariff.")
    assert q.qtype == "shortanswer"
    assert q.questiontext == "Roaming in Switzerland is billed in zone _____ of our tariff."


# --- numerical ------------------------------------------------------------------


def test_numerical_with_tolerance():
    q = one("What is the monthly fee of Max Unlimited in euros?{#39.99:0.005}")
    assert q.qtype == "numerical"
    assert [(a.text, a.fraction, a.tolerance) for a in q.answers] == [("39.99", 1.0, 0.005)]


def test_numerical_range_becomes_midpoint_with_tolerance():
    q = one("A clear speech rate in characters a minute?{#180..250}")
    assert [(a.text, a.tolerance) for a in q.answers] == [("215", 35.0)]


def test_numerical_exact_answer_has_zero_tolerance():
    q = one("How many times at most may you offer a promotion in one call?{#2}")
    assert [(a.text, a.fraction, a.tolerance) for a in q.answers] == [("2", 1.0, 0.0)]


def test_numerical_several_weighted_answers_and_other_feedback():
    q = one(
        "::Fee::Monthly fee of Max Unlimited?{#\n"
        "=39.99:0#Correct.\n"
        "=%50%40:0.5#Close: quote the exact price.\n"
        "~#Check the tariff sheet.\n"
        "####Prices change every January.}"
    )
    assert [(a.text, a.fraction, a.tolerance, a.feedback) for a in q.answers] == [
        ("39.99", 1.0, 0.0, "Correct."),
        ("40", 0.5, 0.5, "Close: quote the exact price."),
        ("*", 0.0, 0.0, "Check the tariff sheet."),
    ]
    assert q.generalfeedback == "Prices change every January."


def test_numerical_negative_and_exponent_numbers():
    q = one("Balance after the refund?{#=-12.5:0.1 =%50%-1.25e1}")
    assert [(a.text, a.tolerance) for a in q.answers] == [("-12.5", 0.1), ("-1.25e1", 0.0)]


def test_numerical_json_has_tolerance_other_types_do_not():
    numerical = one("Promotions per call?{#2}").to_json_dict()
    assert numerical["answers"] == [{"text": "2", "fraction": 1.0, "feedback": "", "tolerance": 0.0}]
    multichoice = one("Q?{=a ~b}").to_json_dict()
    assert all("tolerance" not in answer for answer in multichoice["answers"])


# --- matching, essay, description ------------------------------------------------


def test_matching_pairs_and_distractor():
    q = one(
        "Match each step of the call with when it happens.{\n"
        "=Greeting -> first 10 seconds\n"
        "=Identity verification -> before any account details\n"
        "= -> while the caller is on hold\n"
        "}"
    )
    assert q.qtype == "match"
    assert q.subquestions == [
        SubQuestion("Greeting", "first 10 seconds"),
        SubQuestion("Identity verification", "before any account details"),
        SubQuestion("", "while the caller is on hold"),
    ]
    assert q.answers == []
    assert q.to_json_dict()["subquestions"][0] == {"question": "Greeting", "answer": "first 10 seconds"}


def test_matching_answer_may_contain_an_arrow_after_the_first():
    q = one("Match.{=Escalate -> supervisor -> manager =Refund -> billing}")
    assert q.subquestions[0] == SubQuestion("Escalate", "supervisor -> manager")


def test_essay_and_essay_with_general_feedback():
    essay = one("::De-escalation::Describe how you calm down an angry caller.{}")
    assert essay.qtype == "essay"
    assert essay.answers == [] and essay.single is None
    graded = one("Describe your greeting.{####Look for name, company and an offer to help.}")
    assert graded.qtype == "essay"
    assert graded.generalfeedback == "Look for name, company and an offer to help."


def test_description_has_no_answer_block():
    q = one("::Hold etiquette::Ask for permission before putting a caller on hold.")
    assert q.qtype == "description"
    assert q.questiontext == "Ask for permission before putting a caller on hold."
    assert q.answers == [] and q.subquestions == []


# --- structure: blocks, comments, categories, ids, tags ----------------------------


def test_blank_lines_separate_questions_and_lines_are_recorded():
    questions = parse_gift("\n\nQ1?{T}\n\n\n::Two::Q2?{F}\n\nQ3?{=a ~b}\n")
    assert [q.line for q in questions] == [3, 6, 8]
    assert [q.qtype for q in questions] == ["truefalse", "truefalse", "multichoice"]


def test_multiline_question_is_joined_with_newlines():
    q = one(
        "::Hold::\n"
        "Before putting a caller on hold,\n"
        "   ask for permission.\n"
        "How long may the hold last?{\n"
        "=At most 2 minutes\n"
        "~As long as needed\n"
        "}"
    )
    assert q.questiontext == "Before putting a caller on hold,\nask for permission.\nHow long may the hold last?"
    assert q.line == 1


def test_comments_are_ignored_even_inside_a_question():
    questions = parse_gift(
        "// Quiz: tariffs\n// second comment line\n\n"
        "Which plan?{\n// the right one is first\n=Max Unlimited\n~Basic\n}\n\n"
        "// a comment block alone is not a question\n"
    )
    assert len(questions) == 1
    assert [a.text for a in questions[0].answers] == ["Max Unlimited", "Basic"]


def test_id_and_tags_from_comments():
    q = one(
        "// question: 12  name: whatever\n"
        "// [id:TAR-001] [tag:tariffs]\n"
        "// [tag:onboarding] [tag:  roaming  ]\n"
        "::Plan::Which plan?{=Max ~Basic}"
    )
    assert q.idnumber == "TAR-001"
    assert q.tags == ["tariffs", "onboarding", "roaming"]
    assert q.line == 4


def test_escaped_bracket_in_id_and_tag():
    q = one("// [id:A\\]B] [tag:x\\]y]\nQ?{T}")
    assert q.idnumber == "A]B"
    assert q.tags == ["x]y"]


def test_tags_and_id_only_apply_to_their_own_block():
    first, second = parse_gift("// [tag:first]\nQ1?{T}\n\nQ2?{F}")
    assert first.tags == ["first"]
    assert second.tags == [] and second.idnumber == ""


def test_category_applies_to_following_questions():
    questions = parse_gift(
        "Q0?{T}\n\n"
        "$CATEGORY: $course$/top/Tariffs\n\n"
        "Q1?{T}\n\nQ2?{F}\n\n"
        "$CATEGORY: $course$/top/Roaming\n\n"
        "Q3?{T}"
    )
    assert [q.category for q in questions] == ["", "Tariffs", "Tariffs", "Roaming"]


@pytest.mark.parametrize(("line", "stored"), [
    # Moodle's create_category_path(): the context token goes, so does the hidden "top" category.
    ("$CATEGORY: $course$/product/roaming", "product/roaming"),
    ("$CATEGORY: $course$/top/product/roaming", "product/roaming"),
    ("$CATEGORY: $system$/top", ""),
    ("$CATEGORY: product / roaming ", "product/roaming"),
    # Moodle's own fixture questions_in_category.gift.txt
    ("$CATEGORY: $course$/Default for New Features", "Default for New Features"),
    # split_category_path(): "//" is a "/" inside one name (kept escaped in the stored path)
    ("$CATEGORY: $course$/top/Data//voice plans/EU", "Data//voice plans/EU"),
])
def test_category_path_is_filed_as_moodle_files_it(line, stored):
    assert one(f"{line}\n\nQ?{{T}}").category == stored


def test_a_category_that_would_not_read_back_is_not_exported():
    question = QuestionData("essay", "B", "Describe roaming.", category="$course$/top/Roaming")
    with pytest.raises(QuestionFileError) as refused:
        dump_gift([question])
    assert refused.value.problems[0].params["field"] == "category"


def test_a_filed_category_reads_back_from_an_export():
    question = one("$CATEGORY: $course$/top/Data//voice plans/EU\n\n::Q:: Roaming included?{T}")
    assert one(dump_gift([question])).category == "Data//voice plans/EU"


def test_category_line_directly_above_a_question():
    q = one("$CATEGORY: Roaming\n::R::Roaming in the EU is included.{T}")
    assert q.category == "Roaming"
    assert q.line == 2


# --- text formats and escapes ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "markdown", "plain", "moodle"])
def test_format_prefix(fmt):
    q = one(f"::Name::[{fmt}]Verify the **caller** first.{{T}}")
    assert q.questiontextformat == fmt
    assert q.questiontext == "Verify the **caller** first."


def test_default_format_is_moodle_and_unknown_prefix_is_text():
    assert one("Q?{T}").questiontextformat == "moodle"
    q = one("[note] Promotions: at most two per call.{T}")
    assert q.questiontextformat == "moodle"
    assert q.questiontext == "[note] Promotions: at most two per call."


def test_format_prefix_on_answers_and_feedback_is_removed():
    q = one("[html]<b>Plan?</b>{=[html]<i>Max</i>#[html]<b>Yes</b> ~Basic####[html]<p>See sheet</p>}")
    assert q.questiontextformat == "html"
    assert texts_of(q)[0] == ("<i>Max</i>", 1.0, "<b>Yes</b>")
    assert q.generalfeedback == "<p>See sheet</p>"


def test_backslash_escapes():
    q = one(
        r"::Code\: SAVE\=10::Codes look like SAVE\=10 \{EU\}, about \~5\#, path C:\\plans\nNext line."
        r"{=SAVE\=10#Use SAVE\=10 \{exactly\}.}"
    )
    assert q.name == "Code: SAVE=10"
    assert q.questiontext == "Codes look like SAVE=10 {EU}, about ~5#, path C:\\plans\nNext line."
    assert q.qtype == "shortanswer"
    assert texts_of(q) == [("SAVE=10", 1.0, "Use SAVE=10 {exactly}.")]


def test_unknown_backslash_sequences_stay_as_they_are():
    q = one(r"Dial \d for \x.{T}")
    assert q.questiontext == r"Dial \d for \x."


def test_escape_and_unescape_are_inverse():
    text = "a\\b {c} ~d =e #f :g\nh \\n"
    assert unescape(escape(text)) == text
    assert escape("x=1") == "x\\=1"


def test_chinese_text_and_full_width_punctuation_are_untouched():
    q = one(
        "::身份验证::在提供任何账户信息之前，必须先做什么？{\n"
        "=核实来电者身份#正确：先核实身份。\n"
        "~直接回答问题（不可以）\n"
        "}"
    )
    assert q.name == "身份验证"
    assert q.questiontext == "在提供任何账户信息之前，必须先做什么？"
    assert texts_of(q) == [("核实来电者身份", 1.0, "正确：先核实身份。"), ("直接回答问题（不可以）", 0.0, "")]


def test_full_width_markers_are_not_gift_syntax():
    q = one("套餐名称？{=无限流量＝最大 ～基本}")
    assert q.qtype == "shortanswer"
    assert [a.text for a in q.answers] == ["无限流量＝最大 ～基本"]


def test_utf8_bom_and_windows_line_endings():
    questions = parse_gift("\ufeff::A::Q1?{T}\r\n\r\n::B::Q2?{F}\r\n")
    assert [q.name for q in questions] == ["A", "B"]
    assert questions[1].line == 3


# --- names ------------------------------------------------------------------------


def test_question_without_title_is_named_from_its_text():
    assert one("Which plan includes unlimited data?{=Max ~Basic}").name == "Which plan includes unlimited data?"


def test_long_default_name_is_shortened_at_a_word():
    text = "When a customer on the Family Share plan calls about roaming charges " * 3
    name = default_question_name(text)
    assert len(name) <= 80 and name.endswith("...")
    assert text.startswith(name[:-3])
    assert one(text + "{T}").name == name


def test_default_name_for_chinese_and_for_empty_text():
    chinese = "在提供任何账户信息之前必须先核实来电者身份" * 5
    assert default_question_name(chinese) == chinese[:77] + "..."
    assert one("{T}").name == "Untitled question"


# --- JSON contract -------------------------------------------------------------------


def test_to_json_dict_contract_for_multichoice():
    q = one("// [id:T1] [tag:tariffs]\n::Plan::Which plan?{=Max#Yes ~%-25%Basic}")
    assert q.to_json_dict() == {
        "qtype": "multichoice",
        "name": "Plan",
        "questiontext": "Which plan?",
        "questiontextformat": "moodle",
        "generalfeedback": "",
        "single": True,
        "answers": [
            {"text": "Max", "fraction": 1.0, "feedback": "Yes"},
            {"text": "Basic", "fraction": -0.25, "feedback": ""},
        ],
        "category": "",
        "tags": ["tariffs"],
        "idnumber": "T1",
    }


@pytest.mark.parametrize("source", ["Q?{T}", "Q?{=a}", "Q?{}", "Q.", "Q?{=a -> b =c -> d}", "Q?{#1}"])
def test_single_only_for_multichoice_and_subquestions_only_for_match(source):
    data = one(source).to_json_dict()
    assert "single" not in data
    assert ("subquestions" in data) == (data["qtype"] == "match")
    assert json.loads(json.dumps(data)) == data


def test_line_is_not_part_of_equality():
    a = one("Q?{T}")
    b = one("\n\n\nQ?{T}")
    assert a.line != b.line
    assert a == b


# --- errors ----------------------------------------------------------------------------


MALFORMED_EXPECTED = [
    (3, "unclosed_brace"),
    (7, "no_right_answer"),
    (9, "not_a_number"),
    (12, "weight_out_of_range"),
    (16, "match_missing_arrow"),
    (18, "truefalse_invalid"),
    (21, "multiple_answer_blocks"),
    (23, "invalid_range"),
    (25, "unclosed_title"),
    (27, "text_after_essay"),
    (29, "nested_brace"),
]


def test_malformed_fixture_reports_every_problem_with_its_line():
    text = (FIXTURES / "malformed.gift").read_text(encoding="utf-8")
    assert problems_of(text) == MALFORMED_EXPECTED


def test_error_message_lists_every_problem_as_line_and_reason():
    with pytest.raises(QuestionFileError) as caught:
        parse_gift((FIXTURES / "malformed.gift").read_text(encoding="utf-8"))
    lines = str(caught.value).splitlines()
    assert len(lines) == len(MALFORMED_EXPECTED)
    assert lines[0] == "line 3: The answer block opened with { is never closed with }."
    assert lines[2] == 'line 9: "two" is not a number.'
    assert all(re.match(r"line \d+: \S", line) for line in lines)


def test_one_bad_question_rejects_the_whole_file():
    good = (FIXTURES / "good.gift").read_text(encoding="utf-8")
    assert problems_of(good + "\n\nWhich plan?{=Max ~Basic\n") == [(len(good.splitlines()) + 3, "unclosed_brace")]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("Q?{=a ~b", [(1, "unclosed_brace")]),
        ("Q?\n\n{=a\n~b", [(3, "unclosed_brace")]),
        ("Q} text {T}", [(1, "unexpected_closing_brace")]),
        ("Q?{T} more }", [(1, "unexpected_closing_brace")]),
        ("Q?{=a\n{~b}", [(2, "nested_brace")]),
        ("::Title Q?{T}", [(1, "unclosed_title")]),
        ("Describe your greeting.{} Two sentences.", [(1, "text_after_essay")]),
        ("Match {=a -> 1 =b -> 2} please.", [(1, "text_after_match")]),
        ("Q?{~}", [(1, "too_few_answers"), (1, "empty_answer")]),
        ("Q?{=only one}", []),
        ("Q?{=}", [(1, "empty_answer")]),
        ("Q?{#}", [(1, "no_answers")]),
        ("Q?{#=}", [(1, "empty_answer")]),
        ("Q?{#3,5}", [(1, "not_a_number")]),
        ("Q?{#3:abc}", [(1, "not_a_number")]),
        ("Q?{#3:-1}", [(1, "negative_tolerance")]),
        ("Q?{#a..5}", [(1, "not_a_number")]),
        ("Q?{#=5 ~wrong}", [(1, "numerical_other_answer")]),
        ("Q?{#~#other =5}", [(1, "no_answers"), (1, "numerical_other_answer")]),
        ("Q?{#=%50%5}", [(1, "no_right_answer")]),
        ("Q?{~a ~b ~c}", [(1, "no_right_answer")]),
        ("Q?{~%50%a ~%20%b ~c}", [(1, "fractions_sum")]),
        ("Q?{=a ~%abc%b}", [(1, "invalid_weight")]),
        ("Q?{=a ~%-101%b}", [(1, "weight_out_of_range")]),
        ("Q?{=%50%a ~b}", [(1, "weight_on_equals")]),
        ("Q?{=%50%a}", [(1, "no_right_answer")]),
        ("Q?{=a -> 1}", [(1, "match_too_few_pairs")]),
        ("Q?{=a -> 1 =b -> }", [(1, "empty_answer")]),
        ("Q?{=a -> 1 = -> 2}", [(1, "match_too_few_pairs")]),
        ("Q?{true}", [(1, "truefalse_invalid")]),
        ("Q?{True#x}", [(1, "truefalse_invalid")]),
        ("Q?{T F}", [(1, "truefalse_invalid")]),
        ("Q?{TRUE ~x}", [(1, "answer_missing_marker")]),
        ("Q?{Max =Unlimited}", [(1, "answer_missing_marker")]),
        ("Q1?{T}\nQ2?{F}", [(2, "multiple_answer_blocks")]),
    ],
)
def test_problem_lines_and_reasons(source, expected):
    if not expected:
        assert parse_gift(source)
        return
    assert problems_of(source) == expected


def test_problems_inside_one_question_point_at_their_own_lines():
    source = (
        "::Roaming::Which add-ons include roaming?{\n"  # line 1
        "~%50%EU Pass\n"
        "~%5O%World Pass\n"  # letter O instead of zero
        "~\n"
        "~%50%Travel Pass#ok\n"
        "}"
    )
    assert problems_of(source) == [(3, "invalid_weight"), (4, "empty_answer")]


def test_all_problems_of_all_questions_are_collected():
    source = "Q1?{=a\n\nQ2?{~a ~b}\n\nQ3?{#x}\n\n::Q4\n\nQ5?{=a -> b}\n\nGood?{T}"
    assert problems_of(source) == [
        (1, "unclosed_brace"),
        (3, "no_right_answer"),
        (5, "not_a_number"),
        (7, "unclosed_title"),
        (9, "match_too_few_pairs"),
    ]


def test_problem_carries_key_params_and_english_message():
    with pytest.raises(QuestionFileError) as caught:
        parse_gift("Promotions per call?{#=two}")
    (problem,) = caught.value.problems
    assert problem.key == "interchange.error.not_a_number"
    assert problem.params == {"value": "two"}
    assert problem.message == '"two" is not a number.'
    assert render_message(problem.key, problem.params, "zh-CN") == "“two”不是数字。"


def test_empty_and_comment_only_files_have_no_questions():
    assert parse_gift("") == []
    assert parse_gift("// nothing here\n\n   \n// still nothing") == []


# --- export -------------------------------------------------------------------------------


def test_good_fixture_round_trips():
    questions = parse_gift((FIXTURES / "good.gift").read_text(encoding="utf-8"))
    assert len(questions) == 15
    assert {q.qtype for q in questions} == {
        "multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "description",
    }
    written = dump_gift(questions)
    assert parse_gift(written) == questions
    assert dump_gift(parse_gift(written)) == written  # canonical: stable on the second pass


def test_dump_writes_category_only_when_it_changes():
    questions = [
        QuestionData("truefalse", "A", "Roaming is included.", answers=[Answer("True", 1), Answer("False", 0)],
                     category="Roaming"),
        QuestionData("essay", "B", "Describe roaming.", category="Roaming"),
        QuestionData("description", "C", "No category.", category=""),
    ]
    written = dump_gift(questions)
    assert written.count("$CATEGORY:") == 2
    assert written.startswith("$CATEGORY: Roaming\n\n")
    assert "\n\n$CATEGORY:\n\n::C::" in written
    assert parse_gift(written) == questions


def test_dump_writes_id_and_tag_comment():
    q = QuestionData("essay", "Greeting", "Describe your greeting.", idnumber="CALL-1]", tags=["calls", "soft skills"])
    written = dump_gift([q])
    assert written.splitlines()[0] == "// [id:CALL-1\\]] [tag:calls] [tag:soft skills]"
    assert parse_gift(written) == [q]


def test_dump_escapes_special_characters():
    q = QuestionData(
        "shortanswer", "Code: 1", "Type {code} = SAVE~10 # now\nplease",
        answers=[Answer("SAVE~10", 1.0, "ok: {fine}")],
    )
    written = dump_gift([q])
    assert "::Code\\: 1::Type \\{code\\} \\= SAVE\\~10 \\# now\\nplease{" in written
    assert "=SAVE\\~10#ok\\: \\{fine\\}" in written
    assert parse_gift(written) == [q]


def test_dump_keeps_texts_that_look_like_syntax():
    q = QuestionData(
        "multichoice", "Tricky", "[html] is literal here", single=True,
        answers=[Answer("%50% off", 1.0), Answer("%20% off", 0.0), Answer("[plain]x", 0.5)],
    )
    written = dump_gift([q])
    assert "::Tricky::[moodle][html] is literal here{" in written
    assert parse_gift(written) == [q]


def test_dump_all_full_credit_single_choice_still_reads_as_multichoice():
    q = QuestionData("multichoice", "Both", "Either plan?", single=True,
                     answers=[Answer("Max", 1.0), Answer("Family", 1.0)])
    assert parse_gift(dump_gift([q])) == [q]


def test_dump_multiple_answer_question_uses_weights():
    q = QuestionData("multichoice", "Docs", "Accepted ID?", single=False,
                     answers=[Answer("Passport", 1.0), Answer("Library card", 0.0)])
    written = dump_gift([q])
    assert "~%100%Passport" in written and "=" not in written.split("{", 1)[1]
    assert parse_gift(written) == [q]


def test_dump_normalises_truefalse_answers_and_missing_name():
    q = QuestionData("truefalse", "", "Identity first.", answers=[Answer("false", 0, "No."), Answer("TRUE", 1)])
    (back,) = parse_gift(dump_gift([q]))
    assert back.name == "Identity first."
    assert [(a.text, a.fraction, a.feedback) for a in back.answers] == [("True", 1.0, ""), ("False", 0.0, "No.")]


def test_dump_rejects_questions_gift_cannot_hold_and_names_them():
    questions = [
        QuestionData("calculated", "Calc", "2+2?"),
        QuestionData("truefalse", "Bad TF", "Q?", answers=[Answer("Yes", 1)]),
        QuestionData("multichoice", "No right", "Q?", single=True, answers=[Answer("a", 0), Answer("b", 0)]),
        QuestionData("shortanswer", "Arrow", "Q?", answers=[Answer("a -> b", 1)]),
        QuestionData("numerical", "NaN", "Q?", answers=[Answer("many", 1, tolerance=0)]),
        QuestionData("essay", "Fine", "Describe roaming."),
    ]
    with pytest.raises(QuestionFileError) as caught:
        dump_gift(questions)
    keys = [(p.key.removeprefix("interchange.error."), p.params["name"]) for p in caught.value.problems]
    assert keys == [
        ("export_unsupported_qtype", "Calc"),
        ("export_bad_truefalse", "Bad TF"),
        ("export_invalid_question", "No right"),
        ("export_not_faithful", "Arrow"),
        ("export_invalid_question", "NaN"),
    ]
    message = str(caught.value)
    assert 'Question "No right" cannot be exported: The question has no right answer worth 100%.' in message
    assert 'Question "Calc": calculated questions cannot be exported to GIFT.' in message


def test_export_problem_renders_nested_reason_in_chinese():
    bad = QuestionData("numerical", "Fee", "Q?", answers=[Answer("abc", 1, tolerance=0)])
    with pytest.raises(QuestionFileError) as caught:
        dump_gift([bad])
    (problem,) = caught.value.problems
    assert render_message(problem.key, problem.params, "zh-CN") == "题目“Fee”无法导出：“abc”不是数字。"


def test_dump_of_nothing_is_empty():
    assert dump_gift([]) == ""


# --- i18n catalogs ------------------------------------------------------------------------


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogs_have_the_same_keys_and_placeholders():
    english, chinese = load_catalog("en"), load_catalog("zh-CN")
    assert set(english) == set(chinese)
    for key in english:
        assert _placeholders(english[key]) == _placeholders(chinese[key]), key


def test_every_key_used_in_code_exists_and_every_catalog_key_is_used():
    source = "".join(path.read_text(encoding="utf-8") for path in PORTAL_QUIZZES.glob("*.py"))
    used = set(re.findall(r'"(interchange\.error\.[a-z_]+)"', source))
    catalog = load_catalog("en")
    assert used, "no keys found"
    assert used <= set(catalog), used - set(catalog)
    assert set(catalog) <= used, set(catalog) - used


def test_every_template_renders_with_its_placeholders():
    for locale in ("en", "zh-CN"):
        for key, template in load_catalog(locale).items():
            template.format(**{name: "X" for name in _placeholders(template)})  # must not raise


def test_catalog_files_live_with_the_portal_locales():
    assert (LOCALES_DIR / "en" / "interchange.json").is_file()
    assert (LOCALES_DIR / "zh-CN" / "interchange.json").is_file()


# --- property tests -------------------------------------------------------------------------

SYNTAX = list("\\{}#=~:%[]->_*$/.\n\t ") + ["\\n", "####", "->", "::", "[html]", "//", "%50%"]
CHARS = st.one_of(
    st.sampled_from(SYNTAX + list("ab中文：，？")),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
)


def gift_text(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.lists(CHARS, min_size=min_size, max_size=max_size).map("".join).map(php_trim)


def filled(max_size: int = 12) -> st.SearchStrategy[str]:
    return gift_text(1, max_size).filter(bool)


NO_ARROW = filled().filter(lambda text: "->" not in text)
FRACTIONS = st.sampled_from([0.0, 0.5, -0.25, 0.3333333, -1.0, 0.1, 0.9]) | st.floats(-1, 1).map(lambda x: round(x, 7))
PLAIN_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="[]<>\\")
TAGS = st.lists(st.text(PLAIN_CHARS, min_size=1, max_size=8).map(php_trim).filter(bool), max_size=3, unique=True)


@st.composite
def questions(draw) -> QuestionData:
    qtype = draw(st.sampled_from(["multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "description"]))
    q = QuestionData(
        qtype=qtype,
        name=draw(filled()),
        questiontext=draw(gift_text()),
        questiontextformat=draw(st.sampled_from(["moodle", "html", "markdown", "plain"])),
        generalfeedback="" if qtype == "description" else draw(gift_text()),
        category=draw(st.text(PLAIN_CHARS, max_size=10).map(category_path)),
        tags=draw(TAGS),
        idnumber=draw(st.text(PLAIN_CHARS, max_size=8).map(php_trim)),
    )
    draw_answers = _ANSWER_DRAWERS.get(qtype)
    if draw_answers:
        draw_answers(draw, q)
    return q


def _draw_multichoice(draw, q: QuestionData) -> None:
    q.single = draw(st.booleans())
    if q.single:
        right = [1.0] * draw(st.integers(1, 2))
        others = draw(st.lists(FRACTIONS, min_size=2 - len(right) if len(right) < 2 else 0, max_size=3))
    else:
        right = draw(st.sampled_from([[1.0], [0.5, 0.5], [0.3333333] * 3, [0.25, 0.75]]))
        others = draw(st.lists(st.sampled_from([0.0, -0.5, -1.0]), min_size=1, max_size=2))
    fractions = draw(st.permutations(right + others))
    q.answers = [Answer(draw(filled()), f, draw(gift_text())) for f in fractions]


def _draw_shortanswer(draw, q: QuestionData) -> None:
    fractions = [1.0] + draw(st.lists(FRACTIONS, max_size=2))
    q.answers = [Answer(draw(NO_ARROW), f, draw(gift_text().filter(lambda t: "->" not in t))) for f in fractions]


NUMBERS = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["3.50", "+2", ".5", "1e3", "-0"]),
)


def _draw_numerical(draw, q: QuestionData) -> None:
    fractions = [1.0] + draw(st.lists(FRACTIONS, max_size=2))
    tolerances = st.floats(0, 1e6, allow_nan=False)
    q.answers = [Answer(draw(NUMBERS), f, draw(gift_text()), draw(tolerances)) for f in fractions]
    if draw(st.booleans()):
        q.answers.append(Answer("*", 0.0, draw(gift_text()), 0.0))


def _draw_match(draw, q: QuestionData) -> None:
    q.subquestions = [SubQuestion(draw(NO_ARROW), draw(filled())) for _ in range(draw(st.integers(2, 4)))]
    if draw(st.booleans()):
        q.subquestions.append(SubQuestion("", draw(filled())))


def _draw_truefalse(draw, q: QuestionData) -> None:
    true_is_right = draw(st.booleans())
    q.answers = [
        Answer("True", 1.0 if true_is_right else 0.0, draw(gift_text())),
        Answer("False", 0.0 if true_is_right else 1.0, draw(gift_text())),
    ]


_ANSWER_DRAWERS = {
    "multichoice": _draw_multichoice,
    "shortanswer": _draw_shortanswer,
    "numerical": _draw_numerical,
    "match": _draw_match,
    "truefalse": _draw_truefalse,
}

FUZZ_PIECES = st.sampled_from(
    SYNTAX + ["{", "}", "\n\n", "T", "TRUE", "F", "a", "中文", "1", "2.5", "..", "%-25%", "%100%",
              "// [tag:x]", "[id:q]", "$CATEGORY: c", "_____", "\r", "\ufeff", "\x0b", "\x00"]
)
FUZZ_TEXT = st.lists(FUZZ_PIECES, max_size=40).map("".join) | st.text(max_size=80)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FUZZ_TEXT)
def test_fuzz_parse_returns_questions_or_raises_question_file_error(text):
    try:
        result = parse_gift(text)
    except QuestionFileError as error:
        assert error.problems and all(p.line >= 1 for p in error.problems)
        return
    assert isinstance(result, list)
    # Whatever reads successfully also writes and reads back unchanged, or the writer refuses
    # it by name: GIFT has no escape for "->", so a lone answer "->" (Moodle reads `{->}` as a
    # short answer) cannot be written back without becoming a matching question.
    try:
        written = dump_gift(result)
    except QuestionFileError as error:
        assert {p.key for p in error.problems} == {"interchange.error.export_not_faithful"}
        assert any("->" in a.text or "->" in a.feedback for q in result for a in q.answers)
        return
    assert parse_gift(written) == result


def test_a_lone_arrow_answer_reads_as_moodle_does_and_is_refused_on_export():
    [question] = parse_gift("{->}")
    assert question.qtype == "shortanswer" and [a.text for a in question.answers] == ["->"]
    with pytest.raises(QuestionFileError, match="cannot be written as GIFT"):
        dump_gift([question])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(questions(), max_size=4))
def test_generated_questions_round_trip(generated):
    assert parse_gift(dump_gift(generated)) == generated


# --- Moodle's reading of whitespace and lone answers (issue 12, item 15) -------------------


def test_pre_keeps_its_indentation_and_spacing():
    q = one("::Code::[html]<pre>def total(a, b):\n    return  a + b\n</pre>\n    What does it return?{\n"
            "=the sum#Right:\n    the two added.\n~a product\n}")
    assert q.questiontext == "<pre>def total(a, b):\n    return  a + b\n</pre>\nWhat does it return?"
    assert q.answers[0].feedback == "Right:\nthe two added."  # outside <pre>, lines are trimmed as in Moodle


def test_multi_line_feedback_keeps_its_line_breaks_and_inner_spaces():
    q = one("Pick one{\n=Yes#Right:   checked\nagainst the tariff.\n~No#Wrong.\n####See\n   the tariff   table.\n}")
    assert q.answers[0].feedback == "Right:   checked\nagainst the tariff."
    assert q.generalfeedback == "See\nthe tariff   table."


@pytest.mark.parametrize(("source", "answer", "feedback"), [
    ("1 + 2 \\= {3}", "3", ""),          # the issue's example: Moodle reads a short answer
    ("Capital of France? {Paris#Yes}", "Paris", "Yes"),
    ("Plan for 5G? {%100%Unlimited Max}", "Unlimited Max", ""),
    ("Q?{Max Unlimited}", "Max Unlimited", ""),
])
def test_a_lone_unmarked_answer_is_a_short_answer_as_in_moodle(source, answer, feedback):
    q = one(source)
    assert q.qtype == "shortanswer"
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [(answer, 1.0, feedback)]


def test_the_issue_example_keeps_its_question_text():
    assert one("1 + 2 \\= {3}").questiontext == "1 + 2 ="
