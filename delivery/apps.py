from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Platform delivery")

    def ready(self) -> None:
        import os
        import sys

        from django.conf import settings

        from delivery.kick import _start
        from outbox.hooks import change_queued

        # A change queued anywhere starts delivery once its transaction commits.
        change_queued.register(_start)

        # The embedded default (`make run`: no broker): the serving process delivers in a background thread. Start
        # it with the development server so changes left from a previous run go out without waiting for a new one.
        if (
            settings.CELERY_TASK_ALWAYS_EAGER
            and settings.PLATFORM_URL
            and sys.argv[1:2] == ["runserver"]
            and os.environ.get("RUN_MAIN") == "true"
        ):
            from delivery.kick import InProcessDelivery

            InProcessDelivery.wake()
