"""Model bases every app may use."""

from typing import Any, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class UndeletableQuerySet(models.QuerySet[_M]):
    """Business rows are never hard-deleted: they are deactivated, revoked or superseded instead."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model.__name__} rows are never deleted; deactivate them instead.")


class UndeletableModel(models.Model):
    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{type(self).__name__} rows are never deleted; deactivate them instead.")
