"""The staff home page, the early warnings and the supervisors' dashboards (one module each, its own urlpatterns)."""
