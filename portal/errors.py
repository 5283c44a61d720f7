"""Errors a service raises towards the user.

Each carries an i18n key and its parameters so that pages show it in the
user's language; `str()` gives the English text for logs and the CLI. An error
may list its `problems` (every line wrong in a question file, ...): pages show
them under the message (`portal.ui.widgets.show_refusal`), the CLI one a line.
"""
from collections.abc import Sequence


class PortalError(Exception):
    """Base for every error a user should read."""

    key = "error.generic"

    def __init__(self, key: str | None = None, *, problems: Sequence = (), **params):
        self.key = key or self.key
        self.params = params
        self.problems = list(problems)
        super().__init__(self.key)

    def problem_text(self, problem, language: str | None) -> str:
        """One of `problems` in `language` (subclasses know what their problems hold)."""
        return str(problem)

    def problem_texts(self, language: str | None) -> list[str]:
        return [self.problem_text(problem, language) for problem in self.problems]

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
