"""The one domain error every service raises; pages show its message, the API maps it to its error shape."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule refused the action. `message` is for the user (translated); `field` names the input at fault."""

    status = 400

    def __init__(self, message: str | Promise, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field


class NotAllowed(DomainError):
    """The actor may not do this (role or scope)."""

    status = 403

    def __init__(self, message: str | Promise, *, code: str = "not_allowed") -> None:
        super().__init__(message, code=code)


class SubmitterMayNotPublish(DomainError):
    """Four eyes: whoever submitted a record may not also publish it (unless RECORD_ALLOW_SELF_PUBLISH)."""

    status = 403

    def __init__(self, message: str | Promise, *, code: str = "submitter_may_not_publish") -> None:
        super().__init__(message, code=code)
