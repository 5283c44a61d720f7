"""E-mail: a digest of what is new for each person, in their language, each line a link back in.

Settings come from the environment: SMTP_HOST (no host: no e-mail at all), SMTP_PORT (587),
SMTP_USER / SMTP_PASSWORD (optional), SMTP_FROM, SMTP_STARTTLS (on unless "0"), and PUBLIC_URL,
the address people open the portal at. The standard library speaks SMTP (`smtplib`) and builds
the message (`email.message.EmailMessage`, plain text with an HTML alternative).

A message is marked sent (`emailed_at`) in the same transaction as the person's send, person by
person, so running the command twice sends nothing twice; a crash between the SMTP server's
acceptance and the commit can repeat one person's digest once (never lose it).
"""
import html
import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlencode

from sqlmodel import Session, select

from portal.clock import utcnow
from portal.i18n import LANGUAGES, Translator
from portal.models import Notification, NotificationPreference, User
from portal.notifications.inbox import link_of, message_text


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "Agent Academy <academy@localhost>"
    starttls: bool = True
    public_url: str = "http://localhost:8501"


def smtp_settings(environ=os.environ) -> SmtpSettings | None:
    """The SMTP settings, or None when SMTP_HOST is not set (e-mail is optional)."""
    host = environ.get("SMTP_HOST")
    if not host:
        return None
    return SmtpSettings(host=host, port=int(environ.get("SMTP_PORT", "587")), user=environ.get("SMTP_USER"),
                        password=environ.get("SMTP_PASSWORD"),
                        sender=environ.get("SMTP_FROM", SmtpSettings.sender),
                        starttls=environ.get("SMTP_STARTTLS", "1") != "0",
                        public_url=environ.get("PUBLIC_URL", SmtpSettings.public_url).rstrip("/"))


def page_url(public_url: str, page: str, query: dict[str, str]) -> str:
    """The portal address of a page path with its query (`pages/home.py` is the root)."""
    slug = "" if page == "pages/home.py" else page.removeprefix("pages/").removesuffix(".py")
    return f"{public_url}/{slug}" + (f"?{urlencode(query)}" if query else "")


def compose(user: User, address: str, rows: list[Notification], settings: SmtpSettings) -> EmailMessage:
    """One person's e-mail in their language: a line and a link per message."""
    t = Translator(user.language if user.language in LANGUAGES else "en")
    lines = [(message_text(row, t), page_url(settings.public_url, *link_of(row))) for row in rows]
    message = EmailMessage()
    message["Subject"] = t("notify.email.subject", count=len(rows))
    message["From"] = settings.sender
    message["To"] = address
    greeting = t("notify.email.greeting", name=user.display_name)
    footer = t("notify.email.footer", url=page_url(settings.public_url, "pages/account_settings.py", {}))
    message.set_content("\n".join([greeting, "", *[f"- {text}\n  {url}" for text, url in lines], "", footer]))
    items = "".join(f'<li><a href="{html.escape(url)}">{html.escape(text)}</a></li>' for text, url in lines)
    message.add_alternative(f"<p>{html.escape(greeting)}</p><ul>{items}</ul><p>{html.escape(footer)}</p>",
                            subtype="html")
    return message


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An SMTP connection as the settings say (STARTTLS, login): digests and password-reset mail share it."""
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
    if settings.starttls:
        smtp.starttls()
    if settings.user:
        smtp.login(settings.user, settings.password or "")
    return smtp


def send_pending(session_factory: Callable, settings: SmtpSettings, *, mode: str) -> int:
    """E-mail every unsent message of each person whose preference is `mode` ('digest' or 'immediate').

    `session_factory()` opens a transaction per person (e.g. `portal.db.session_scope`), so one
    person's failure does not undo the others. Returns how many people were e-mailed.
    """
    with session_factory() as session:
        people = session.exec(select(NotificationPreference.user_id).join(User, User.id == NotificationPreference.user_id)
                              .where(NotificationPreference.mode == mode, NotificationPreference.email.is_not(None),
                                     User.active)).all()
    sent = 0
    with connect(settings) as smtp:
        for user_id in people:
            with session_factory() as session:
                sent += _send_one(session, smtp, user_id, settings)
    return sent


def _send_one(session: Session, smtp: smtplib.SMTP, user_id: int, settings: SmtpSettings) -> int:
    rows = session.exec(select(Notification).where(Notification.user_id == user_id, Notification.emailed_at.is_(None))
                        .order_by(Notification.created_at, Notification.id).with_for_update()).all()
    if not rows:
        return 0
    user = session.get(User, user_id)
    address = session.get(NotificationPreference, user_id).email
    smtp.send_message(compose(user, address, list(rows), settings))
    now = utcnow()
    for row in rows:
        row.emailed_at = now
        session.add(row)
    return 1
