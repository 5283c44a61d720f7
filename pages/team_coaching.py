from portal.ui import state
from portal.ui.widgets import empty_state, page_header

t = state.translator()
state.actor()
page_header(t, "nav.coaching")
empty_state(t, "empty.coaching")
