from portal.ui import state
from portal.ui.widgets import empty_state, page_header

t = state.translator()
state.actor()
page_header(t, "nav.courses")
empty_state(t, "empty.courses")
