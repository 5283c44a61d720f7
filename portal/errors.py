"""Errors a service raises towards the user.

Each carries an i18n key and its parameters so that pages show it in the
user's language; `str()` gives the English text for logs and the CLI.
"""


class PortalError(Exception):
    """Base for every error a user should read."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params):
        self.key = key or self.key
        self.params = params
        super().__init__(self.key)

    def __str__(self) -> str:
        from portal.i18n import translate

        return translate(self.key, "en", **self.params)


class PermissionDenied(PortalError):
    key = "error.permission_denied"


class ValidationFailed(PortalError):
    key = "error.validation"


class NotFound(PortalError):
    key = "error.not_found"


class AuthenticationFailed(PortalError):
    key = "auth.error.invalid_credentials"
