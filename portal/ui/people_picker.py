"""Finding a person for a form's picker by typing, above the form: the picker holds at most
`users.PEOPLE_SHOWN` people, so a page with a person picker costs the same however large the center."""
import streamlit as st

from portal.i18n import Translator
from portal.users import PEOPLE_SHOWN


def people_search(t: Translator, key: str) -> str:
    """The 'Find a colleague' box; what was typed (the form below lists the people it finds)."""
    return st.text_input(t("recognition.thank.find"), key=key, placeholder=t("recognition.thank.find_hint"),
                         icon=":material/search:")


def found_caption(t: Translator, found: int, search: str, unsearched: str | None = None) -> None:
    """Under the box: nobody matches, only the first PEOPLE_SHOWN are listed, or what an empty box lists
    (`unsearched`, a message key)."""
    if not found:
        st.caption(t("recognition.thank.none_found" if search.strip() else "recognition.thank.type_a_name"))
    elif found >= PEOPLE_SHOWN:
        st.caption(t("recognition.thank.first_found", limit=PEOPLE_SHOWN))
    elif unsearched and not search.strip():
        st.caption(t(unsearched))
