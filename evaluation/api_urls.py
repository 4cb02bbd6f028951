"""REST API of the evaluation under /api/v1/evaluation/ (read-only)."""

from evaluation.api import urlpatterns

__all__ = ["urlpatterns"]
