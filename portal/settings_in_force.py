"""The settings the environment fixes, read-only for admins (issue 18): retention, anonymity thresholds and
their floors, sign-in limits, e-mail, the portal's address and the center's time zone.

Each line is an i18n key for the setting and one for its value with the value's parameters, so the page
says it in words in the viewer's language; nothing here can be changed from the portal.
"""
import os
from dataclasses import dataclass, field

from annotated_types import Ge

from portal.clock import center_zone, utcnow
from portal.notifications.mail import SmtpSettings, smtp_settings
from portal.permissions import permission
from portal.roles import Actor
from portal.settings import Settings, get_settings


@dataclass(frozen=True)
class SettingLine:
    """One setting in force: what it is (`label` key) and its value (`value` key with `params`)."""

    label: str
    value: str
    params: dict = field(default_factory=dict)


def floor(name: str) -> int:
    """The lowest value `Settings` accepts for `name` (a threshold can never be set below it)."""
    return next(m.ge for m in Settings.model_fields[name].metadata if isinstance(m, Ge))


@permission("settings:read")
def settings_in_force(session, actor: Actor, environ=os.environ) -> list[SettingLine]:
    """Every retention, anonymity, sign-in and e-mail setting the server runs with now."""
    settings = get_settings()
    smtp = smtp_settings(environ)
    public_url = environ.get("PUBLIC_URL")
    return [
        SettingLine("admin.settings.wellbeing_retention", "admin.settings.wellbeing_retention.value",
                    {"count": settings.wellbeing_retention_months}),
        SettingLine("admin.settings.min_responses", "admin.settings.min_responses.value",
                    {"count": settings.wellbeing_min_responses, "floor": floor("wellbeing_min_responses")}),
        SettingLine("admin.settings.min_comments", "admin.settings.min_comments.value",
                    {"count": settings.wellbeing_min_comments, "floor": floor("wellbeing_min_comments")}),
        SettingLine("admin.settings.session_idle", "admin.settings.session_idle.value",
                    {"count": settings.session_idle_minutes}),
        SettingLine("admin.settings.lockout", "admin.settings.lockout.value",
                    {"count": settings.lockout_threshold, "minutes": settings.lockout_minutes}),
        SettingLine("admin.settings.smtp", "admin.settings.smtp.yes" if smtp else "admin.settings.smtp.no",
                    {"host": smtp.host} if smtp else {}),
        SettingLine("admin.settings.public_url",
                    "admin.settings.public_url.value" if public_url else "admin.settings.public_url.unset",
                    {"url": (public_url or SmtpSettings.public_url).rstrip("/")}),
        SettingLine("admin.settings.timezone", "admin.settings.timezone.value",
                    {"zone": str(center_zone()), "time": utcnow()}),
    ]
