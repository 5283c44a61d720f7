"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: the notification, password-reset
and bulk-reset tests send real mail to it instead of mocking smtplib."""
import email
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy


class Inbox:
    """The messages the server received, parsed, in order."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 20):
        """The `count`-th message, once it has arrived (mail sent from another process or thread)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.messages) >= count, f"{len(self.messages)} e-mails, expected {count}"
        return self.messages[count - 1]


@contextmanager
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    """(port, inbox) of an SMTP server on a free loopback port, for the `with` block."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
