"""REST endpoints of the sector duties, one module per sector, each with its own `urlpatterns`."""
