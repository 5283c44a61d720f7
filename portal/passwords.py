"""The rules a new password must meet, after NIST SP 800-63B (section 3.1.1.2).

Length is what counts: at least `MIN_PASSWORD_LENGTH` characters, up to
`MAX_PASSWORD_LENGTH` (any Unicode; counted after NFKC normalisation, so
"ｐａｓｓ" and "pass" are the same password). No composition rules (no
"a digit and a capital"). Refused: a password on the list of common
passwords shipped in `common_passwords.txt`, one character or two over and
over, and one made of the portal's name, the person's username or name, or a
listed password, with a few digits and symbols around it ("Sunshine2026!").

The demo accounts' published password `academy-demo` is refused here like any
context word; the demo seed writes its hash directly and does not pass through
these rules. Hashing is in `portal.security`.
"""
import unicodedata
from functools import lru_cache
from pathlib import Path

from portal.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
PORTAL_WORDS = ("academy", "agent academy", "academy-demo", "agent", "portal")
"""The service's own name and words around it (and the published demo password): what people reach for here."""
POLICY_ERRORS = ("auth.error.password_too_short", "auth.error.password_too_long", "auth.error.password_is_username",
                 "auth.error.password_context", "auth.error.password_common", "auth.error.password_unchanged")
"""The i18n keys of the refusals that are about the new password itself."""
PADDING = 6
"""A listed word with up to this many digits, spaces or symbols around it ("Academy2026!") counts as the word."""


def normalise(password: str) -> str:
    """The form a password is checked and hashed in (NFKC, as NIST asks)."""
    return unicodedata.normalize("NFKC", password or "")


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


@lru_cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def context_words(username: str = "", display_name: str = "") -> set[str]:
    """The portal's name, the username and the parts of the person's name, as letters only, lower case."""
    words = [*PORTAL_WORDS, username, display_name, *display_name.split(), *username.replace("_", ".").split(".")]
    found = {_letters(normalise(word).casefold()) for word in words}
    return {word for word in found if len(word) >= 3}


def password_problem(password: str, *, username: str = "", display_name: str = "") -> tuple[str, dict] | None:
    """Why a new password is refused, as (i18n key, parameters), or None when it is fine."""
    text = normalise(password)
    if len(text) < MIN_PASSWORD_LENGTH:
        return "auth.error.password_too_short", {"minimum": MIN_PASSWORD_LENGTH}
    if len(text) > MAX_PASSWORD_LENGTH:
        return "auth.error.password_too_long", {"maximum": MAX_PASSWORD_LENGTH}
    folded = text.casefold()
    if username and folded.strip() == normalise(username).casefold():
        return "auth.error.password_is_username", {}
    word = _padded_word(folded)
    if word and word in context_words(username, display_name):
        return "auth.error.password_context", {}
    if len(set(folded)) <= 2 or {folded, _letters_and_digits(folded), word} & common_passwords():
        return "auth.error.password_common", {}
    return None


def _padded_word(folded: str) -> str:
    """The letters of a password that is a word with at most PADDING other characters around it, else ""."""
    letters = _letters(folded)
    return letters if len(folded) - len(letters) <= PADDING else ""


def check_new_password(password: str, *, username: str = "", display_name: str = "") -> None:
    """Refuse a new password that breaks the rules above, with the reason."""
    problem = password_problem(password, username=username, display_name=display_name)
    if problem is not None:
        key, params = problem
        raise ValidationFailed(key, **params)
