"""Query-parameter fields shared by every API list: a value a filter cannot read is a 400, never ignored, and each
filter documents in the OpenAPI schema exactly the values it accepts."""

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from accounts.api_support import MAX_ID

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`); django-filter's own boolean widget silently ignores anything else."""

    TRUE = frozenset({"true", "1"})
    FALSE = frozenset({"false", "0"})

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(filters.Filter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """An id: a whole number from 1 (ids start there) to the largest bigint."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def text_filter(
    *, max_length: int, digits: int | None = None, message: "StrOrPromise | None" = None, **kwargs: Any
) -> filters.CharFilter:
    """A text filter that documents its length (and, for a code of `digits` digits, its pattern) in the schema,
    as it enforces them."""
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if digits is not None:
        schema["pattern"] = f"^[0-9]{{{digits}}}$"
        kwargs["validators"] = [RegexValidator(rf"\A[0-9]{{{digits}}}\Z", message)]
    text = filters.CharFilter(max_length=max_length, **kwargs)
    return extend_schema_field(schema)(text)


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment, compared in UTC.

    Any offset ISO 8601 allows (up to ±23:59) is a valid moment; PostgreSQL refuses offsets beyond ±15:59 in a
    literal ("time zone displacement out of range"), so the moment goes to the database in UTC. One whose UTC
    time falls outside the years 1–9999 cannot be compared with anything stored and is refused.
    """

    default_error_messages = {
        "out_of_range": _("This moment is out of range: use a date between the years 1 and 9999."),
    }

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment: datetime.datetime | None = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from exc


class MomentFilter(filters.IsoDateTimeFilter):
    field_class = MomentField
