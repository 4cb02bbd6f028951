"""The records app's own refusals. The domain error and NotAllowed live in the kernel (kernel/errors.py)."""

from django.utils.functional import Promise

from kernel.errors import DomainError, NotAllowed

__all__ = ["DomainError", "NotAllowed", "SubmitterMayNotPublish"]


class SubmitterMayNotPublish(DomainError):
    """Four eyes: whoever submitted a record may not also publish it (unless RECORD_ALLOW_SELF_PUBLISH)."""

    status = 403

    def __init__(self, message: str | Promise, *, code: str = "submitter_may_not_publish") -> None:
        super().__init__(message, code=code)
