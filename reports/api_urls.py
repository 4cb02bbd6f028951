from reports.api import urlpatterns

__all__ = ["urlpatterns"]
