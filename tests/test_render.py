"""Question text is shown safely in every format; answer layouts shuffle and survive storage."""
import json
import random

import pytest

from portal.quizzes.render import (display_text, escape_markdown, is_full_credit, make_layout, match_choices,
                                   option_label, ordered, right_answers, sanitize_html, version_payload)


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>Hello",
    '<img src="x.png" onerror="alert(1)">Hello',
    '<a href="javascript:alert(1)">Hello</a>',
    '<p style="background:url(javascript:alert(1))" onclick="steal()">Hello</p>',
    '<iframe src="https://evil.example"></iframe>Hello',
    "<svg onload=alert(1)>Hello</svg>",
])
def test_sanitizer_strips_scripts_handlers_and_unsafe_urls(attack):
    clean = sanitize_html(attack)
    assert "Hello" in clean
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "style="):
        assert bad not in clean.lower()


def test_sanitizer_keeps_harmless_markup():
    clean = sanitize_html('<p>Press <b>1</b> for <a href="https://example.com">help</a></p><ul><li>a</li></ul>')
    assert "<b>1</b>" in clean and "<li>a</li>" in clean and 'href="https://example.com"' in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_html_format_is_sanitized_html():
    safe = display_text('<p onmouseover="x()">Hi <script>bad()</script><b>there</b></p>', "html")
    assert safe.is_html
    assert "script" not in safe.body and "onmouseover" not in safe.body and "<b>there</b>" in safe.body
    assert "\n\n" not in safe.body  # a blank line would end the raw HTML block


def test_moodle_format_with_html_keeps_line_breaks_and_is_sanitized():
    safe = display_text("Line one\n<b>Line</b> two<script>x</script>", "moodle")
    assert safe.is_html and "<br>" in safe.body and "<script" not in safe.body


def test_moodle_format_without_html_is_escaped_markdown():
    safe = display_text("Costs *10* yuan, see [link](http://x) $5", "moodle")
    assert not safe.is_html
    assert safe.body == r"Costs \*10\* yuan, see \[link\]\(http\://x\) \$5"


def test_markdown_stays_markdown_and_is_never_rendered_as_html():
    safe = display_text("**Bold** <script>alert(1)</script>", "markdown")
    assert not safe.is_html and safe.body.startswith("**Bold**")


def test_plain_text_is_shown_literally_with_its_line_breaks():
    safe = display_text("a_b *c*\n<b>d</b>", "plain")
    assert not safe.is_html
    assert safe.body == "a\\_b \\*c\\*  \n\\<b\\>d\\</b\\>"
    assert escape_markdown("") == ""


def test_option_labels_are_single_line_and_without_html():
    assert option_label("<b>Yes</b>, &amp; more", "html") == "Yes, & more"
    assert option_label("Two\nlines *x*", "plain") == "Two lines \\*x\\*"


def test_layout_shuffles_multichoice_and_match_but_not_others():
    payload = {"qtype": "multichoice", "answers": [{"text": str(i), "fraction": 0} for i in range(6)]}
    layout = make_layout(payload, True, random.Random(1))
    assert sorted(layout["order"]) == list(range(6)) and layout["order"] != list(range(6))
    assert make_layout(payload, False) == {"order": list(range(6))}
    assert json.loads(json.dumps(layout)) == layout
    match = {"qtype": "match", "subquestions": [{"question": "a", "answer": "1"}, {"question": "b", "answer": "2"},
                                                {"question": "", "answer": "3"}]}
    assert match_choices(match) == ["1", "2", "3"]
    assert sorted(make_layout(match, True, random.Random(2))["order"]) == [0, 1, 2]
    assert make_layout({"qtype": "truefalse", "answers": []}) == {}


def test_a_stale_layout_falls_back_to_file_order():
    assert ordered(["a", "b", "c"], {"order": [0, 1]}) == [0, 1, 2]
    assert ordered(["a", "b"], {"order": [1, 0]}) == [1, 0]
    assert ordered(["a"], None) == [0]


def test_right_answers_and_full_credit():
    assert right_answers({"qtype": "numerical", "answers": [{"text": "250", "fraction": 1, "tolerance": 20}]}) \
        == ["250 ± 20"]
    assert right_answers({"qtype": "multichoice", "single": False, "answers": [
        {"text": "a", "fraction": 0.5}, {"text": "b", "fraction": 0.5}, {"text": "c", "fraction": -1}]}) == ["a", "b"]
    assert is_full_credit(3 * 0.3333333) and not is_full_credit(0.99) and not is_full_credit(None)


def test_version_payload_adds_format_and_general_feedback():
    class Version:
        payload = '{"qtype": "essay", "answers": []}'
        questiontextformat = "html"
        generalfeedback = "Why"

    assert version_payload(Version()) == {"qtype": "essay", "answers": [], "questiontextformat": "html",
                                          "generalfeedback": "Why"}


# --- [html] text is one sanitized HTML block, and images come only from the portal ---------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from portal.quizzes.render import is_local_image, sanitize_html  # noqa: E402


@pytest.mark.parametrize("gap", ["\n\n", "\n \n", "\n\t\n", "\r\n \r\n"])
def test_a_blank_line_cannot_end_the_html_block_and_smuggle_markdown_after_it(gap):
    safe = display_text(f"<p>Read this</p>{gap}[click me](javascript:alert(1)) ![](http://tracker.example/p.gif)",
                        "html")
    assert safe.is_html and "\n" not in safe.body, "any line break could make a blank line"
    assert safe.body.startswith("<div>") and safe.body.endswith("</div>")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("<>/p ab\n\r\t[]()!:") + ["<pre>", "</pre>", "<div>", "</div>", "\n \n"]),
                max_size=30))
def test_no_html_body_ever_holds_a_line_break(pieces):
    for textformat in ("html", "moodle"):
        body = display_text("<b>x</b>" + "".join(pieces), textformat).body
        assert "\n" not in body and "\r" not in body


def test_line_breaks_inside_pre_are_kept_as_character_references():
    body = display_text("<pre>line one\n    indented</pre><p>a\nb</p>", "html").body
    assert "<pre>line one&#10;    indented</pre>" in body and "<p>a b</p>" in body


@pytest.mark.parametrize("source", ["http://tracker.example/p.gif", "https://cdn.example/a.png",
                                    "//tracker.example/p.gif", "ftp://x/y.png", "data:text/html,<script>",
                                    "javascript:alert(1)", "\\\\evil\\share\\p.png", "data:image/svg+xml;base64,PHN2Zz4="])
def test_images_from_elsewhere_are_dropped(source):
    cleaned = sanitize_html(f'<img src="{source}" alt="pic">')
    assert "src=" not in cleaned and 'alt="pic"' in cleaned
    assert not is_local_image(source)


@pytest.mark.parametrize("source", ["/app/static/roaming.png", "images/roaming.png",
                                    "data:image/png;base64,iVBORw0KGgo=", "data:image/jpeg;base64,/9j/4AAQ"])
def test_images_of_the_portal_itself_or_embedded_stay(source):
    assert f'src="{source}"' in sanitize_html(f'<img src="{source}">')


def test_data_urls_are_never_links():
    assert "href" not in sanitize_html('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>')
    assert 'href="https://example.com/help"' in sanitize_html('<a href="https://example.com/help">x</a>')


def test_markdown_text_loses_outside_images_but_keeps_its_own_and_links():
    body = display_text("see ![pixel](https://t.example/p.gif) ![map](/app/static/map.png) [help](https://x.example)",
                        "markdown").body
    assert body == "see pixel ![map](/app/static/map.png) [help](https://x.example)"
