"""Showing question text safely, and the answer layout of one attempt.

Pure functions (no Streamlit) used by `portal/ui/question_view.py`, so they
are testable on their own.

Text formats follow Moodle's:

- `html`: HTML, cleaned with nh3 (Ammonia) before display.
- `moodle`: Moodle's auto-format: HTML allowed, line breaks kept; cleaned the same way.
- `markdown`: Markdown, shown by Streamlit's Markdown renderer *without*
  `unsafe_allow_html`, so raw HTML inside it is never rendered.
- `plain`: text shown literally (Markdown characters escaped).

`display_text()` returns a `SafeText`: either HTML that has gone through
the sanitizer (only then may a page pass it to `unsafe_allow_html`) or
Markdown to be rendered without HTML.
"""
from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import nh3

from portal.quizzes.interchange import html_to_plain

# What question authors need: text styling, lists, tables, links, images.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: only survives on <img>, see _allowed_url
# An image from elsewhere is a tracking pixel (it tells a third party who opened which question,
# when): images may come from the portal itself (a path, no host) or be embedded as data: URLs.
_EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.I)
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
SHUFFLED_TYPES = ("multichoice", "match")


@dataclass(frozen=True)
class SafeText:
    body: str
    is_html: bool  # True: sanitized HTML; False: Markdown to render without HTML


def is_local_image(url: str) -> bool:
    """An image source the browser fetches from the portal itself, or that needs no fetching."""
    url = (url or "").strip()
    if _EMBEDDED_IMAGE.match(url):
        return True
    return ":" not in url.split("/", 1)[0] and not url.startswith(("//", "\\")) and "\\" not in url


def _allowed_url(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_local_image(value) else None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


def sanitize_html(text: str) -> str:
    """HTML with scripts, event handlers, styles, unsafe URLs and outside images removed."""
    return nh3.clean(text or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True, attribute_filter=_allowed_url)


def without_outside_images(markdown: str) -> str:
    """Markdown whose images from elsewhere are replaced by their alt text (no tracking pixels)."""
    return _MARKDOWN_IMAGE.sub(lambda m: m.group(0) if is_local_image(m.group(2)) else m.group(1), markdown)


def _one_html_block(body: str) -> str:
    """Sanitized HTML that Streamlit's Markdown renderer takes whole, as one raw HTML block.

    A Markdown HTML block ends at the first blank line, even one holding a single space; what
    follows would be read as Markdown again (a link or an image outside the sanitizer's
    reach). With no line break left, there is no blank line: line breaks inside <pre> become
    the character reference &#10;, which the browser still shows as a line break; elsewhere
    HTML treats a line break as a space anyway.
    """
    parts = re.split(r"(<pre\b.*?</pre>)", body, flags=re.S | re.I)
    return "".join(part.replace("\r", "").replace("\n", "&#10;") if part.lower().startswith("<pre")
                   else " ".join(part.split("\n")) for part in parts)


PLUGINFILE = "@@PLUGINFILE@@/"
# <img ... src="@@PLUGINFILE@@/name" ...>: a question's own image (Moodle's way of pointing at it)
_PLUGINFILE_IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(["'])@@PLUGINFILE@@/([^"'<>]+)\1[^>]*>""", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.I | re.S)
_WIDTH = re.compile(r"""\bwidth\s*=\s*(["']?)(\d{1,4})\1""", re.I)


@dataclass(frozen=True)
class ImagePiece:
    """Where a question's own image goes in its text: shown from the stored bytes, never through a URL."""

    name: str
    alt: str = ""
    width: int | None = None


def split_images(text: str) -> list[str | ImagePiece]:
    """The text cut at each `<img src="@@PLUGINFILE@@/name">`: text pieces and ImagePieces, in order."""
    pieces: list[str | ImagePiece] = []
    position = 0
    for match in _PLUGINFILE_IMAGE.finditer(text):
        pieces.append(text[position:match.start()])
        tag = match.group(0)
        alt, width = _ALT.search(tag), _WIDTH.search(tag)
        pieces.append(ImagePiece(unquote(html.unescape(match.group(2))), html.unescape(alt.group(2)) if alt else "",
                                 int(width.group(2)) if width else None))
        position = match.end()
    pieces.append(text[position:])
    return [piece for piece in pieces if not isinstance(piece, str) or _shows_something(piece)]


def _shows_something(piece: str) -> bool:
    """False for what is left around an image: whitespace and closing tags such as `</p>`."""
    return bool(html_to_plain(piece).strip()) or bool(re.search(r"<(img|hr|table)\b", piece, re.I))


def escape_markdown(text: str) -> str:
    """Plain text that Streamlit's Markdown shows literally, line breaks kept."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text or "")
    return "  \n".join(escaped.split("\n"))


def display_text(text: str, textformat: str = "moodle") -> SafeText:
    """Text in `textformat` turned into something safe to show."""
    text = text or ""
    if textformat == "markdown":
        return SafeText(without_outside_images(text), is_html=False)
    if textformat == "plain":
        return SafeText(escape_markdown(text), is_html=False)
    if textformat == "moodle" and not re.search(r"<[a-zA-Z/!]", text):
        return SafeText(escape_markdown(text), is_html=False)
    body = text.replace("\r\n", "\n")
    if textformat == "moodle":
        body = body.replace("\n", "<br>")
    return SafeText(_one_html_block(f"<div>{sanitize_html(body)}</div>"), is_html=True)


def option_label(text: str, textformat: str = "moodle") -> str:
    """One line for a radio button, checkbox or select box (no HTML there)."""
    if textformat == "markdown":
        return " ".join((text or "").split())
    plain = html_to_plain(text or "") if textformat in ("html", "moodle") else (text or "")
    return escape_markdown(" ".join(plain.split()))


def plain_text(text: str, textformat: str = "moodle") -> str:
    """Text without markup, e.g. for a table cell or a select box."""
    if textformat in ("html", "moodle"):
        return " ".join(html.unescape(html_to_plain(text or "")).split())
    return " ".join((text or "").split())


# --- payload and layout ---------------------------------------------------------


def version_payload(version: Any) -> dict:
    """The grading payload of a `QuestionVersion`, with its text format and general feedback."""
    payload = json.loads(version.payload or "{}")
    payload.setdefault("questiontextformat", version.questiontextformat)
    payload.setdefault("generalfeedback", version.generalfeedback)
    return payload


def match_choices(payload: dict) -> list[str]:
    """The distinct answers of a matching question (distractors included), in file order."""
    return list(dict.fromkeys(str(sub["answer"]) for sub in payload.get("subquestions", [])
                              if str(sub.get("answer", "")).strip()))


def match_items(payload: dict) -> list[int]:
    """Indexes of the subquestions a learner answers (a pair with no question is a distractor)."""
    return [i for i, sub in enumerate(payload.get("subquestions", [])) if str(sub.get("question", "")).strip()]


def make_layout(payload: dict, shuffle: bool = True, rng: random.Random | None = None) -> dict:
    """The order answers are shown in for one attempt, stored on `AttemptAnswer.layout`.

    `{"order": [2, 0, 1]}`: for multichoice, indexes into `answers`; for
    match, indexes into `match_choices(payload)`. Other types have no order.
    """
    qtype = payload.get("qtype")
    if qtype == "multichoice":
        count = len(payload.get("answers", []))
    elif qtype == "match":
        count = len(match_choices(payload))
    else:
        return {}
    order = list(range(count))
    if shuffle:
        (rng or random.Random()).shuffle(order)
    return {"order": order}


def ordered(items: list, layout: dict | None) -> list[int]:
    """Indexes of `items` in the layout's order; a stale or missing layout falls back to file order."""
    order = (layout or {}).get("order")
    if not isinstance(order, list) or sorted(order) != list(range(len(items))):
        return list(range(len(items)))
    return [int(i) for i in order]


def right_answers(payload: dict) -> list[str]:
    """What a full-credit response looks like, as short texts (for feedback after a miss)."""
    qtype = payload.get("qtype")
    answers = payload.get("answers", [])
    textformat = payload.get("questiontextformat", "moodle")
    if qtype == "multichoice":
        if payload.get("single", True):
            best = max((float(a["fraction"]) for a in answers), default=0.0)
            return [plain_text(a["text"], textformat) for a in answers if float(a["fraction"]) == best and best > 0]
        return [plain_text(a["text"], textformat) for a in answers if float(a["fraction"]) > 0]
    if qtype in ("shortanswer", "numerical", "truefalse"):
        texts = []
        for answer in answers:
            if float(answer["fraction"]) >= 1.0:
                text = plain_text(str(answer["text"]), textformat)
                if qtype == "numerical" and answer.get("tolerance"):
                    text = f"{text} ± {answer['tolerance']:g}"
                texts.append(text)
        return texts
    if qtype == "match":
        subs = payload.get("subquestions", [])
        return [f"{plain_text(subs[i]['question'], textformat)} → {subs[i]['answer']}" for i in match_items(payload)]
    return []


def is_full_credit(fraction: float | None) -> bool:
    """Full marks, allowing for weights such as 3 x 33.33333% that add up to 0.9999999."""
    return fraction is not None and fraction >= 1.0 - 1e-6


def response_is_empty(response) -> bool:
    return response is None or response == "" or response == [] or response == {}


def response_to_json(response) -> str | None:
    return None if response is None else json.dumps(response, ensure_ascii=False)


def response_from_json(text: str | None):
    return None if text is None else json.loads(text)
