import pytest

from portal.quizzes.grading import grade, is_complete_response, matched_pairs, shortanswer_matches

SINGLE = {"qtype": "multichoice", "single": True, "answers": [
    {"text": "180–250 characters a minute", "fraction": 1.0, "feedback": "Right: slower than normal speech."},
    {"text": "280–350 characters a minute", "fraction": 0.0, "feedback": "That is normal speech, too fast."}]}
MULTI = {"qtype": "multichoice", "single": False, "answers": [
    {"text": "Verify identity", "fraction": 0.5, "feedback": ""},
    {"text": "Report the loss first", "fraction": 0.5, "feedback": ""},
    {"text": "Offer a new plan a third time", "fraction": -0.5, "feedback": "Never more than twice."}]}
TF = {"qtype": "truefalse", "answers": [{"text": "true", "fraction": 0.0, "feedback": "No: find out or call back."},
                                        {"text": "false", "fraction": 1.0, "feedback": ""}]}
SHORT = {"qtype": "shortanswer", "answers": [{"text": "emergency stop*", "fraction": 1.0, "feedback": ""},
                                             {"text": "suspend", "fraction": 0.5, "feedback": "Close."}]}
NUMERICAL = {"qtype": "numerical", "answers": [{"text": "20", "fraction": 1.0, "feedback": "", "tolerance": 0},
                                               {"text": "25", "fraction": 0.5, "feedback": "", "tolerance": 5}]}
MATCH = {"qtype": "match", "subquestions": [{"question": "AHT", "answer": "Average handle time"},
                                            {"question": "FCR", "answer": "First-contact resolution"},
                                            {"question": "", "answer": "Abandon rate"}]}


def test_single_choice():
    assert grade(SINGLE, 0).fraction == 1.0
    assert grade(SINGLE, 0).feedback == ["Right: slower than normal speech."]
    assert grade(SINGLE, 1).fraction == 0.0
    assert grade(SINGLE, [1, 0]).fraction == 0.0  # single: only the first choice counts
    assert grade(SINGLE, 7).fraction == 0.0


def test_multiple_choice_partial_and_negative_credit_is_clamped():
    assert grade(MULTI, [0, 1]).fraction == 1.0
    assert grade(MULTI, [0]).fraction == 0.5
    assert grade(MULTI, [0, 2]).fraction == 0.0
    assert grade(MULTI, [2]).fraction == 0.0
    assert grade(MULTI, [0, 0, 1]).fraction == 1.0  # duplicates count once


def test_true_false():
    assert grade(TF, False).fraction == 1.0
    assert grade(TF, True).fraction == 0.0 and grade(TF, True).feedback == ["No: find out or call back."]
    assert grade(TF, "false").fraction == 1.0


def test_short_answer_case_insensitive_with_wildcard():
    assert grade(SHORT, "Emergency STOP on the SIM").fraction == 1.0
    assert grade(SHORT, "  suspend ").fraction == 0.5
    assert grade(SHORT, "cancel").fraction == 0.0
    assert shortanswer_matches("挂失*", "挂失 SIM 卡")
    assert not shortanswer_matches("a.b", "axb")  # regex characters are literal


def test_numerical_tolerance_and_best_answer():
    assert grade(NUMERICAL, "20").fraction == 1.0
    assert grade(NUMERICAL, 21).fraction == 0.5
    assert grade(NUMERICAL, "30").fraction == 0.5
    assert grade(NUMERICAL, "30.5").fraction == 0.0
    assert grade(NUMERICAL, "twenty").fraction == 0.0
    assert grade(NUMERICAL, float("nan")).fraction == 0.0


def test_matching_scores_the_share_of_right_pairs():
    assert grade(MATCH, {0: "Average handle time", 1: "First-contact resolution"}).fraction == 1.0
    assert grade(MATCH, {"0": "average handle time", "1": "Abandon rate"}).fraction == 0.5


def test_a_matching_answer_is_complete_only_when_every_pair_is_matched():
    """Moodle's qtype_match is_complete_response; a distractor (no question) is not a pair to match."""
    assert matched_pairs(MATCH, {0: "Average handle time"}) == (1, 2)
    assert not is_complete_response(MATCH, {0: "Average handle time"})
    assert not is_complete_response(MATCH, {"0": "Average handle time", "1": ""})
    assert is_complete_response(MATCH, {"0": "Abandon rate", "1": "Abandon rate"})
    assert not is_complete_response(SINGLE, None) and is_complete_response(SINGLE, 0)


def test_essay_needs_marking_and_empty_responses_score_zero():
    assert grade({"qtype": "essay"}, "A long answer").needs_marking
    assert grade(SINGLE, None).fraction == 0.0
    assert grade(SHORT, "").fraction == 0.0
    with pytest.raises(ValueError):
        grade({"qtype": "cloze"}, "x")
