from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and permissions")
    default = True


class SignInThrottlingConfig(AxesAppConfig):
    """django-axes under names the admin console can show in Chinese: axes calls its app "Axes" and names its rows
    in English sentences ("Access Log for … @ …"), which the console shows as titles and labels."""

    verbose_name = _("Sign-in throttling")

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = _attempt_str
        AccessLog.__str__ = _log_str
        AccessFailureLog.__str__ = _failure_str


def _attempt_str(attempt: object) -> str:
    return gettext("Sign-in attempts by %(username)s from %(address)s") % {
        "username": getattr(attempt, "username", ""),
        "address": getattr(attempt, "ip_address", ""),
    }


def _log_str(log: object) -> str:
    return gettext("Sign-in by %(username)s at %(time)s") % {
        "username": getattr(log, "username", ""),
        "time": getattr(log, "attempt_time", ""),
    }


def _failure_str(failure: object) -> str:
    return gettext("Failed sign-in by %(username)s at %(time)s") % {
        "username": getattr(failure, "username", ""),
        "time": getattr(failure, "attempt_time", ""),
    }
