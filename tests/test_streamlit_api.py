"""Only Streamlit's public API: a private import breaks silently on the next Streamlit release."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRIVATE = re.compile(r"^\s*(from\s+streamlit\.[\w.]+\s+import|import\s+streamlit\.)", re.M)
PUBLIC_MODULES = ("streamlit.testing", "streamlit.starlette", "streamlit.column_config")


def test_no_private_streamlit_imports_in_the_app():
    offenders = []
    for folder in ("portal", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if PRIVATE.match(line) and not any(m in line for m in PUBLIC_MODULES):
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    for line in (ROOT / "streamlit_app.py").read_text(encoding="utf-8").splitlines():
        if PRIVATE.match(line):
            offenders.append(f"streamlit_app.py: {line.strip()}")
    assert not offenders, "private Streamlit imports:\n" + "\n".join(offenders)
