"""Password hashing and session tokens.

bcrypt reads at most 72 bytes (and refuses longer input), so a password is
first normalised (NFKC, see `portal.passwords`) and reduced to a 44-character
base64 HMAC-SHA256 digest keyed with the bcrypt salt (as passlib's
bcrypt_sha256 does: the key keeps the digest from being looked up in lists of
plain SHA-256 hashes). Such hashes carry the `PREHASHED` prefix. Hashes
written before (plain bcrypt of the password's UTF-8 bytes) still verify.
"""
import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

import bcrypt

from portal.passwords import normalise
from portal.settings import get_settings

PREHASHED = "$bcrypt-sha256$"
BCRYPT_SALT_LENGTH = 29  # "$2b$12$" and 22 characters of salt


def _digest(password: str, salt: bytes) -> bytes:
    mac = hmac.new(salt, normalise(password).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(mac)


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(rounds=get_settings().bcrypt_rounds)
    return PREHASHED + bcrypt.hashpw(_digest(password, salt), salt).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        if password_hash.startswith(PREHASHED):
            stored = password_hash[len(PREHASHED):].encode("ascii")
            return bcrypt.checkpw(_digest(password, stored[:BCRYPT_SALT_LENGTH]), stored)
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:  # not a bcrypt hash, or an old-style hash against more than 72 bytes
        return False


@lru_cache
def dummy_hash() -> str:
    """A hash to check against for unknown users, so timing reveals nothing."""
    return hash_password(secrets.token_urlsafe(16))


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()
