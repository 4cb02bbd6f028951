"""The query code sent to the filer who just filed (by e-mail or text message). Notices themselves: notices/."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from repair.models import Complaint, Objection, RepairApplication
from repair.sms import mask_phone, mobile_number, sms_sender

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeChannel:
    """Where a new case's query code is sent: by e-mail or by text message, to this address or number."""

    medium: str  # "email" | "sms"
    to: str

    @property
    def masked(self) -> str:
        """The address as the confirmation page and the log show it: enough to recognise, not to copy."""
        if self.medium == "sms":
            return mask_phone(self.to)
        local, _at, domain = self.to.partition("@")
        return f"{local[:1]}***@{domain}"


def _email(text: str) -> str | None:
    text = text.strip()
    try:
        validate_email(text)
    except ValidationError:
        return None
    return text


def query_code_channel(*, filer_email: str, filer_contact: str) -> CodeChannel | None:
    """The e-mail address given for notices, else the contact when it is an e-mail address, else the contact when it
    is a mobile number; None when the filer gave neither (a landline cannot receive the code)."""
    email = _email(filer_email) or _email(filer_contact)
    if email is not None:
        return CodeChannel("email", email)
    phone = mobile_number(filer_contact)
    return CodeChannel("sms", phone) if phone is not None else None


def query_code_send(*, case: Objection | Complaint | RepairApplication, code: str) -> CodeChannel | None:
    """Call inside the filing's transaction: once it commits, the code goes to the filer by e-mail or text message.

    Sent from this process, not queued: the code then exists only in this request's memory, the message and the
    filing page, never in the task broker or a log line. A failure to send is logged (without the code or the full
    address) and the filing stands: the code is on the page that answers the filing."""
    channel = query_code_channel(filer_email=case.filer_email, filer_contact=case.filer_contact)
    if channel is None:
        return None
    number = case.record.document_number
    if isinstance(case, Objection):
        subject = _("Your objection was filed: its query code")
        opening = _("Your objection to record %(number)s was filed.") % {"number": number}
    elif isinstance(case, Complaint):
        subject = _("Your complaint was filed: its query code")
        opening = _("Your complaint about record %(number)s was filed.") % {"number": number}
    else:
        subject = _("Your credit repair application was filed: its query code")
        opening = _("Your application for credit repair of record %(number)s was filed.") % {"number": number}
    advice = _(
        "Enter it on the public site's page “Follow a case” to see how the case stands and to send material that is "
        "asked for. Keep it to yourself: whoever holds it can follow the case."
    )
    code_line = _("Query code: %(code)s") % {"code": code}
    body = "\n\n".join([opening, code_line, advice])
    label = f"{type(case).__name__} {case.pk}"

    def send() -> None:
        try:
            if channel.medium == "email":
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [channel.to])
            else:
                sms_sender().send(phone=channel.to, text=f"{opening}{code_line}")
        except Exception as exc:  # the gateway's or mail server's message may name the address: only its kind here
            logger.error(
                "The query code of %s could not be sent by %s to %s (%s).",
                label,
                channel.medium,
                channel.masked,
                type(exc).__name__,
            )

    # A closure, not functools.partial: should on_commit ever log the callable, its repr carries no code.
    transaction.on_commit(send, robust=True)
    return channel
