"""What graduating onboarding earns: the badge and the certificate (called by the last stage's sign-off)."""
from datetime import date

from sqlmodel import Session

from portal.certificates.issue import expiry_for, issue_certificate
from portal.i18n import translate
from portal.models import Certificate
from portal.recognition.badges import GRADUATED, award_badge

PROGRAMME = "onboarding"


def source_key(user_id: int) -> str:
    return f"onboarding:{user_id}"


def on_graduated(session: Session, user_id: int, on: date) -> Certificate:
    """Award the graduate's badge and issue their certificate, once however often it is called."""
    award_badge(session, user_id, GRADUATED, source_key=source_key(user_id))
    return issue_certificate(session, user_id, PROGRAMME, title_en=translate("certificates.title.onboarding", "en"),
                             title_zh=translate("certificates.title.onboarding", "zh-CN"), achieved_on=on,
                             source_key=source_key(user_id), expires_on=expiry_for(PROGRAMME, on))
