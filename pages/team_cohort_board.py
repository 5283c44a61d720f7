from portal.ui import state
from portal.ui.widgets import empty_state, page_header

t = state.translator()
state.actor()
page_header(t, "nav.cohort_board")
empty_state(t, "empty.cohort_board")
