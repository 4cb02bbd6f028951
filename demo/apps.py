from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city and the scale generator: they write through every app's services, so they sit on top."""

    name = "demo"
