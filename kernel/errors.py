"""The one domain error every service raises; pages show its message, the API maps it to its error shape."""

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule refused the action. `message` is for the user (translated); `field` names the input at fault.

    An input several rules refused carries all of them in `errors` (field → messages), so a form or an API answer
    shows every error at once; `message` and `field` are then the first of them.
    """

    status = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "invalid",
        field: str | None = None,
        errors: Mapping[str, Sequence[str | Promise]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.errors: dict[str, list[str | Promise]] = {
            name: list(messages) for name, messages in (errors or {}).items()
        }

    @classmethod
    def of_fields(cls, errors: Mapping[str, Sequence[str | Promise]], *, code: str = "invalid") -> "DomainError":
        """One error for every field a rule refused (at least one)."""
        field, messages = next(iter(errors.items()))
        return cls(messages[0], code=code, field=field, errors=errors)

    def field_errors(self) -> dict[str, list[str]]:
        """Every message by field (the one field of a simple error), as plain text."""
        if self.errors:
            return {name: [str(message) for message in messages] for name, messages in self.errors.items()}
        return {self.field: [str(self.message)]} if self.field else {}


class NotAllowed(DomainError):
    """The actor may not do this (role or scope)."""

    status = 403

    def __init__(self, message: str | Promise, *, code: str = "not_allowed") -> None:
        super().__init__(message, code=code)
