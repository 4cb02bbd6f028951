"""Admin of supervision: each kind registers its models from `supervision/admin.py` below."""
