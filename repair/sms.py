"""Text messages to a filer's mobile phone, through the sender the deployment names.

SMS_SENDER is the dotted path of a class whose instances have `send(*, phone: str, text: str) -> None` and raise on
failure. Each city has its own gateway (a government SMS platform, a carrier's API), so the product ships none: the
default only logs that a message would have gone out, naming the phone by its first three and last four digits and
never the text, which may carry a query code.
"""

import logging
import re
import unicodedata
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "repair.sms.LoggingSmsSender"
MOBILE = re.compile(r"1[3-9]\d{9}")


class SmsSender(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    """No gateway: the fact is logged, the message is not sent."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("No SMS gateway is configured (SMS_SENDER): a message to %s was not sent.", mask_phone(phone))


def sms_sender() -> SmsSender:
    sender: SmsSender = import_string(getattr(settings, "SMS_SENDER", DEFAULT_SENDER) or DEFAULT_SENDER)()
    return sender


def mobile_number(text: str) -> str | None:
    """The mainland mobile number `text` is (spaces, dashes, brackets and a +86 prefix allowed), or None: a landline
    or anything else cannot receive a text message."""
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if MOBILE.fullmatch(digits) else None


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"
