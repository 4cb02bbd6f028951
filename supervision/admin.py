"""Admin of supervision: each kind registers its models from `supervision/admin.py` below."""

from supervision import admin_suggestions  # noqa: F401 - registers NPC suggestions and court cases
