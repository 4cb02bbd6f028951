"""The domain error lives in the kernel (kernel/errors.py); the records app's own refusals derive from it. Importing
DomainError from here keeps working."""

from django.utils.functional import Promise

from kernel.errors import DomainError

__all__ = ["DomainError", "NotAllowed", "SubmitterMayNotPublish"]


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
