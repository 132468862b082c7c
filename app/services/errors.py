"""The one error type: a service raises it, one handler turns it into a response."""

from __future__ import annotations


class PivotalError(Exception):
    """A refusal with an HTTP status and a message a person can act on (translated later)."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(PivotalError):
    """The object does not exist, or the user may not know that it does."""

    status_code = 404
    code = "not_found"


class NotAuthenticated(PivotalError):
    """The action needs a logged-in user."""

    status_code = 401
    code = "not_authenticated"


class Forbidden(PivotalError):
    """The user is known but may not do this."""

    status_code = 403
    code = "forbidden"


class Conflict(PivotalError):
    """The action clashes with the current state (a second support, a taken e-mail)."""

    status_code = 409
    code = "conflict"


class Invalid(PivotalError):
    """The input is not acceptable."""

    status_code = 422
    code = "invalid"


class TooManyAttempts(PivotalError):
    """Too many tries in a row: wait `retry_after` seconds before the next one."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int, **params: object) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class LoginLevelTooLow(Forbidden):
    """The action needs a surer login than this session's: log in again at `level` (step-up)."""

    code = "login_level_too_low"

    def __init__(self, message: str, *, level: str, **params: object) -> None:
        super().__init__(message, **params)
        self.level = level


class ProviderUnavailable(PivotalError):
    """A login provider did not answer as it must: try again, or log in another way."""

    status_code = 502
    code = "provider_unavailable"
