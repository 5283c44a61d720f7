"""No widget falls back to Streamlit's English placeholder ("Choose options") on a Chinese page."""
import pathlib
import re

CHOOSERS = re.compile(r"\.(multiselect|selectbox)\(")


def _calls(source: str):
    for match in CHOOSERS.finditer(source):
        end, depth = match.end(), 1
        while depth:
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            end += 1
        yield match.group(1), source[match.start():end], source[:match.start()].count("\n") + 1


def test_every_empty_chooser_has_a_translated_placeholder():
    """A multiselect, or a selectbox that starts with nothing chosen (index=None), shows its placeholder:
    without one Streamlit shows English ("Choose options", "Choose an option") whatever the language."""
    missing = [f"{path}:{line}" for path in [*pathlib.Path("pages").glob("*.py"), *pathlib.Path("portal/ui").rglob("*.py")]
               for kind, call, line in _calls(path.read_text(encoding="utf-8"))
               if (kind == "multiselect" or "index=None" in call) and "placeholder" not in call]
    assert missing == [], "give these a placeholder=t(...)"
