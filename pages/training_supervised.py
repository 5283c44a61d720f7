from portal.ui import state
from portal.ui.widgets import empty_state, page_header

t = state.translator()
state.actor()
page_header(t, "nav.supervised_calls")
empty_state(t, "empty.supervised_calls")
