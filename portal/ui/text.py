"""Text people typed (names, titles), shown literally wherever Streamlit renders Markdown.

Streamlit draws titles, captions, notices and most labels as Markdown, with its own extensions:
`:red[...]` colours, `:material/icon:` and `:emoji:` codes, `$...$` formulas, and bare
`www.` / `http://` addresses turned into links. A display name like
`[Li Na](http://evil.example)` or an exam title with `:red[...]` must show as typed.
"""
import re

from portal.quizzes.render import escape_markdown

WORD_JOINER = "\u2060"  # invisible, and breaks a `:code:` or an address without changing what is read
_WWW = re.compile(r"(?i)(www)(\\?\.)")


def plain(value) -> str:
    """`value` as literal text inside Markdown: every Markdown character escaped, and the codes and
    bare addresses of Streamlit's extensions broken by an invisible word joiner after each colon."""
    escaped = escape_markdown("" if value is None else str(value)).replace(":", ":" + WORD_JOINER)
    return _WWW.sub(lambda m: m.group(1) + WORD_JOINER + m.group(2), escaped)
