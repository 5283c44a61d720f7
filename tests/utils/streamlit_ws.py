"""A browserless Streamlit client: the websocket protocol the browser speaks, in a few hundred lines.

The browser and a Streamlit server exchange protobufs over one websocket,
`/_stcore/stream` (subprotocol `streamlit`): the browser sends a `BackMsg`
whose `rerun_script` is a `ClientState` (the page, the query string and the
value of every widget on screen, plus the `trigger_value` of the button just
clicked), and the server answers with a stream of `ForwardMsg`s: `new_session`
when a script run starts, `navigation` (the pages), one `delta` per element or
block (at its `metadata.delta_path`), and `script_finished` when the run ends.

`StreamlitClient` keeps what a browser keeps: the elements on screen (by delta
path, replaced run by run; a fragment's run replaces only that fragment's
elements), the widget values it would send back, the current page; and it
times each interaction from the `BackMsg` to the run's `script_finished`.
Used by tests/benchmarks/bench_ws.py (hundreds of simulated people) and
tests/test_bench_ws.py.
"""
import asyncio
import re
import time
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "/_stcore/stream"
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
TICKET_CALL = re.compile(r"""fetch\("([^"]*/api/session)",\{[^}]*body:"([^"]+)"\}""")
WIDGET_KINDS = ("button", "text_input", "text_area", "radio", "checkbox", "selectbox", "number_input",
                "multiselect", "date_input", "download_button")


class ProtocolError(Exception):
    """The server closed the socket, or a run did not finish in time."""


@dataclass
class Shown:
    """One element on screen: what the server sent at `path`, and the fragment that drew it."""
    path: tuple[int, ...]
    element: Element
    fragment_id: str

    @property
    def kind(self) -> str:
        return self.element.WhichOneof("type")

    @property
    def proto(self):
        return getattr(self.element, self.kind)

    @property
    def text(self) -> str:
        """The visible text of a text-like element, or a widget's label."""
        proto = self.proto
        for name in ("body", "label"):
            if hasattr(proto, name):
                return getattr(proto, name)
        return ""


@dataclass
class Run:
    """What one interaction did: its time, what the server drew, and what went wrong on screen."""
    seconds: float
    status: int
    shown: list[Shown] = field(default_factory=list)
    messages: int = 0

    def problems(self, expected_errors: frozenset[str] = frozenset()) -> list[str]:
        """An exception element, an error alert (other than `expected_errors`), a compile error."""
        found = []
        if self.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            found.append("script compile error")
        for item in self.shown:
            if item.kind == "exception":
                found.append(f"exception: {item.proto.type}: {item.proto.message[:120]}")
            elif item.kind == "alert" and item.proto.format == Alert.ERROR and item.proto.body not in expected_errors:
                found.append(f"error shown: {item.proto.body[:120]}")
        return found


class StreamlitClient:
    """One browser tab's conversation with a Streamlit server, over its websocket."""

    def __init__(self, base_url: str, timeout: float = 30.0, cookies: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = dict(cookies or {})
        self.screen: dict[tuple[int, ...], Shown] = {}
        self.values: dict[str, WidgetState] = {}  # what the browser sends back on every rerun
        self.pages: dict[str, str] = {}  # url path name -> page script hash
        self.page_hash = ""
        self._socket = None
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._reader: asyncio.Task | None = None

    # --- connection -------------------------------------------------------------------
    async def connect(self) -> Run:
        """Open the websocket (as the browser does on load) and run the app's first page."""
        ws_url = "ws" + self.base_url[len("http"):] + STREAM_PATH
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self._socket = await websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.base_url,
                                                additional_headers=headers, max_size=None, open_timeout=self.timeout)
        self._reader = asyncio.create_task(self._read())
        return await self.rerun()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for data in self._socket:
                message = ForwardMsg()
                message.ParseFromString(data)
                self._inbox.put_nowait(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            self._inbox.put_nowait(None)  # the socket closed

    # --- interactions -----------------------------------------------------------------
    async def rerun(self, trigger: WidgetState | None = None, fragment_id: str = "", page: str | None = None) -> Run:
        """Send one `rerun_script` (every widget value, plus `trigger` if a button was clicked)
        and wait for the run's `script_finished`; returns the time from sending to finishing."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = ""
        if page is not None:
            state.page_script_hash = self.pages[page]
            state.page_name = page
        else:
            state.page_script_hash = self.page_hash
        state.fragment_id = fragment_id
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "en-US"
        state.context_info.url = self.base_url + "/"
        state.widget_states.widgets.extend(self.values.values())
        if trigger is not None:
            state.widget_states.widgets.append(trigger)
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        status, count = await self._until_finished(started)
        return Run(time.perf_counter() - started, status, list(self.screen.values()), count)

    async def _until_finished(self, started: float) -> tuple[int, int]:
        count = 0
        while True:
            left = self.timeout - (time.perf_counter() - started)
            try:
                message = await asyncio.wait_for(self._inbox.get(), max(left, 0.001))
            except TimeoutError:
                raise ProtocolError(f"no script_finished within {self.timeout:g} s") from None
            if message is None:
                raise ProtocolError("the server closed the websocket")
            count += 1
            self._apply(message)
            if message.WhichOneof("type") == "script_finished" and message.script_finished in DONE:
                if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    self._forget_widgets_not_shown()
                return message.script_finished, count

    def _apply(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            fragments = set(message.metadata.run.fragment_ids)
            if fragments:  # a fragment's run redraws that fragment only
                self.screen = {p: s for p, s in self.screen.items() if s.fragment_id not in fragments}
            else:
                self.screen = {}
        elif kind == "navigation":
            self.page_hash = message.navigation.page_script_hash
            self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            path = tuple(message.metadata.delta_path)
            self.screen[path] = Shown(path, message.delta.new_element, message.delta.fragment_id)

    def _forget_widgets_not_shown(self) -> None:
        """The browser drops the state of widgets that the last full run did not draw."""
        shown = {s.proto.id for s in self.screen.values() if s.kind in WIDGET_KINDS}
        self.values = {k: v for k, v in self.values.items() if k in shown}

    # --- what is on screen ------------------------------------------------------------
    def find(self, kind: str, text: str | re.Pattern | None = None, key: str | None = None) -> Shown:
        """The first element of `kind` whose text/label is `text` (or matches it), or whose widget key is `key`."""
        for item in self.screen.values():
            if item.kind != kind:
                continue
            if key is not None and not item.proto.id.endswith("-" + key):
                continue
            if isinstance(text, re.Pattern) and not text.search(item.text):
                continue
            if isinstance(text, str) and item.text != text:
                continue
            return item
        raise LookupError(f"no {kind} {text or key!r} on screen: {self.texts()[:12]}")

    def has(self, kind: str, text: str | re.Pattern | None = None, key: str | None = None) -> bool:
        try:
            self.find(kind, text, key)
        except LookupError:
            return False
        return True

    def all(self, kind: str) -> list[Shown]:
        return [item for item in self.screen.values() if item.kind == kind]

    def texts(self) -> list[str]:
        return [item.text for item in self.screen.values() if item.text]

    # --- a person's actions -----------------------------------------------------------
    def set_value(self, widget: Shown, **value) -> None:
        """What typing or choosing does in the browser: the value is sent with the next rerun
        (a widget in a form: with the form's submit)."""
        state = WidgetState(id=widget.proto.id, **value)
        self.values[state.id] = state

    async def click(self, button: Shown) -> Run:
        """Click a button (or a form's submit button): one rerun carrying its trigger."""
        return await self.rerun(WidgetState(id=button.proto.id, trigger_value=True), fragment_id=button.fragment_id)

    async def change(self, widget: Shown, **value) -> Run:
        """Change a widget outside a form: the browser reruns at once."""
        self.set_value(widget, **value)
        return await self.rerun(fragment_id=widget.fragment_id)

    async def open_page(self, url_pathname: str) -> Run:
        """Click a page in the sidebar."""
        return await self.rerun(page=url_pathname)

    def session_ticket(self) -> tuple[str, str] | None:
        """The (path, ticket) the sign-in page asks the browser to POST for its cookies, if any."""
        for item in self.all("html"):
            found = TICKET_CALL.search(item.proto.body)
            if found:
                return found.group(1), found.group(2)
        return None

    async def redeem_ticket(self) -> int | None:
        """POST the ticket as the page's script does; keep the cookies the server sets. Returns the status."""
        call = self.session_ticket()
        if call is None:
            return None
        path, ticket = call

        def post() -> tuple[int, list[str]]:
            request = urllib.request.Request(self.base_url + path, data=ticket.encode(), method="POST",
                                             headers={"Origin": self.base_url})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers.get_all("Set-Cookie") or []

        status, set_cookies = await asyncio.to_thread(post)
        for header in set_cookies:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status
