"""The certificates section of the learning record: the one place it reads certificates.

Certificates are issued by `portal.certificates` (branch recog, issue #19). Until that
lands, a person holds none; pointing this function at it is the only change needed.
"""
from sqlmodel import Session

from portal.learning_record.entries import CertificateEntry


def certificates_of(session: Session, user_id: int) -> list[CertificateEntry]:
    """The certificates `user_id` holds, oldest first."""
    return []
