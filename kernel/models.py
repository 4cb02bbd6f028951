"""Model bases every app may use."""

from typing import Any

from django.db import models


class UndeletableQuerySet(models.QuerySet[Any]):
    """Business rows are never hard-deleted: they are deactivated, revoked or superseded instead."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model.__name__} rows are never deleted; deactivate them instead.")


class UndeletableModel(models.Model):
    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{type(self).__name__} rows are never deleted; deactivate them instead.")
