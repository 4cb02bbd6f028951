from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Public disclosure site")

    def ready(self) -> None:
        from disclosure.cache import public_version_renew
        from outbox.hooks import change_queued, public_changed

        # Every platform change and every other change of what the public sees makes the kept pages stale once it
        # commits (disclosure/cache.py). One cache write: it is scheduled with each announcement.
        change_queued.register(public_version_renew, once_per_transaction=False)
        public_changed.register(public_version_renew, once_per_transaction=False)
