"""The certificates section of the learning record: the one place it reads certificates.

Certificates are issued by `portal.certificates` (issue #19). The record shows each one's title,
dates and verification code to those who may read the record; the certificate's PDF stays with
`certificates:download` (its holder and admins).
"""
from sqlmodel import Session, select

from portal.learning_record.entries import CertificateEntry
from portal.models import Certificate


def certificates_of(session: Session, user_id: int) -> list[CertificateEntry]:
    """The certificates `user_id` holds, oldest first."""
    rows = session.exec(select(Certificate.title_en, Certificate.title_zh, Certificate.achieved_on,
                               Certificate.expires_on, Certificate.code)
                        .where(Certificate.user_id == user_id)
                        .order_by(Certificate.achieved_on, Certificate.id)).all()
    return [CertificateEntry(title_en=row.title_en, title_zh=row.title_zh, issued_on=row.achieved_on,
                             expires_on=row.expires_on, reference=row.code) for row in rows]
