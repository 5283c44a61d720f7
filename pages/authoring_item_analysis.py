from portal.ui import state
from portal.ui.widgets import empty_state, page_header

t = state.translator()
state.actor()
page_header(t, "nav.item_analysis")
empty_state(t, "empty.item_analysis")
