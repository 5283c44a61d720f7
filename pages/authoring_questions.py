from portal.ui import state
from portal.ui.widgets import empty_state, page_header

t = state.translator()
state.actor()
page_header(t, "nav.question_bank")
empty_state(t, "empty.question_bank")
