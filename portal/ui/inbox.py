"""The inbox in the menu: its title carries the unread count, so every page shows it."""
from portal.db import read_scope
from portal.i18n import Translator
from portal.notifications import unread_count
from portal.roles import Actor
from portal.ui.navigation import PageDef

INBOX = "pages/inbox.py"


def page_title(t: Translator, actor: Actor, page: PageDef) -> str:
    """A page's menu title; the inbox's says how many messages are unread ('Inbox (3)')."""
    if page.path != INBOX:
        return t(page.title_key)
    with read_scope() as session:
        unread = unread_count(session, actor)
    return t("nav.inbox_unread", count=unread) if unread else t(page.title_key)
