"""A RecordForm whose refusals name several fields at once: one message beside each item it is about.

Sheets with a field per scorecard item (a dispute's reasons, a reviewer's decisions, a
calibration sheet) are refused by the service with `items=[item ids]` in the error's
parameters; each of those items' fields, named `<prefix>.<item id>`, shows the message.
"""
from collections.abc import Callable, Mapping

import streamlit as st

from portal.db import run_transaction
from portal.errors import PortalError
from portal.i18n import Translator
from portal.ui.forms import RecordForm
from portal.ui.widgets import REFUSED, Outcome


class ItemRecordForm(RecordForm):
    """`submit_items(t, action, prefixes)`: `prefixes` maps an error key to the field prefix of its items."""

    def submit_items(self, t: Translator, action: Callable, prefixes: Mapping[str, str]) -> Outcome:
        self._state.errors.clear()
        try:
            return Outcome(done=True, value=run_transaction(action))
        except PortalError as exc:
            prefix, items, message = prefixes.get(exc.key), exc.params.get("items") or [], t.error(exc)
        if prefix is None or not items:
            st.error(message, icon=":material/error:")
            return REFUSED
        for item_id in items:
            self._state.errors[f"{prefix}.{item_id}"] = message
        st.rerun()
