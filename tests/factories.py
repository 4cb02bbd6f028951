"""Small factories for tests: valid codes and ID numbers, created through the services."""

import datetime
import itertools
from typing import Any

from accounts.models import User
from accounts.services import user_create
from records.models import DishonestyRecord
from records.services import RecordInput
from subjects.codes import make_uscc
from subjects.models import Agency, AgencyKind, CivilServant
from subjects.personal_data import make_id_number
from subjects.services import agency_create, civil_servant_create

_sequence = itertools.count(1)


def next_uscc(prefix: str = "11", region: str = "330100") -> str:
    return make_uscc(f"{prefix}{region}{next(_sequence):09d}")


def next_id_number(region: str = "330102") -> str:
    n = next(_sequence)
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 15000)
    return make_id_number(region, birth, n)


def make_agency(
    name: str | None = None, *, parent: Agency | None = None, kind: str = AgencyKind.DEPARTMENT, **extra: Any
) -> Agency:
    return agency_create(
        actor=None,
        name=name or f"测试单位{next(_sequence)}",
        kind=kind,
        uscc=extra.get("uscc") or next_uscc(),
        region_code=extra.get("region_code", "330100"),
        parent=parent,
    )


def make_person(agency: Agency, name: str | None = None, *, id_number: str | None = None, **extra: Any) -> CivilServant:
    return civil_servant_create(
        actor=None,
        name=name or f"公务员{next(_sequence)}",
        id_number=id_number or next_id_number(),
        agency=agency,
        position=extra.get("position", "科员"),
        rank=extra.get("rank", "一级科员"),
        is_principal=extra.get("is_principal", False),
    )


def make_user(
    role: str,
    agency: Agency | None,
    *,
    username: str | None = None,
    sector: str = "",
    password: str = "correct-horse-battery-9",
) -> User:
    return user_create(
        username=username or f"user{next(_sequence)}",
        password=password,
        role=role,
        agency=agency,
        sector=sector,
    )


def record_input(subject: Agency, *, source_agency: Agency | None = None, **overrides: Any) -> RecordInput:

    values: dict[str, Any] = {
        "subject_agency": subject,
        "source": "breach_of_contract",
        "sector": "procurement",
        "severity": "general",
        "document_number": f"临财决〔2026〕{next(_sequence)}号",
        "deciding_body_name": "临江市中级人民法院",
        "deciding_body_uscc": make_uscc("11330100000000003"),
        "decision_date": datetime.date(2026, 6, 1),
        "facts": "拖欠中小企业货款逾期未支付。",
        "legal_basis": "《保障中小企业款项支付条例》第八条",
        "data_source_agency": source_agency or subject,
    }
    values.update(overrides)
    return RecordInput(**values)


def make_record(actor: User, subject: Agency, **overrides: Any) -> DishonestyRecord:
    from records.services import record_create

    return record_create(actor=actor, data=record_input(subject, **overrides))


def commitment_input(agency: Agency, **overrides: Any) -> Any:
    """A valid commitment of `agency`, due 60 days from today (a time-limit promise with a recurring standard)."""
    from commitments.services import CommitmentInput

    today = datetime.date.today()
    values: dict[str, Any] = {
        "agency": agency,
        "kind": "time_limit",
        "title": "企业开办一日办结",
        "content": "企业开办申请材料齐全的，一个工作日内办结。",
        "source_document_number": "临政办〔2026〕12号",
        "source_date": today - datetime.timedelta(days=30),
        "promised_on": today - datetime.timedelta(days=30),
        "due_on": today + datetime.timedelta(days=60),
        "liability": "未按期兑现的，依照《政务诚信建设实施方案》追究责任。",
        "year": (today + datetime.timedelta(days=60)).year,
        "recurring_standard": "每件不超过1个工作日",
    }
    values.update(overrides)
    return CommitmentInput(**values)


def make_commitment(actor: User, agency: Agency, **overrides: Any) -> Any:
    from commitments.services import commitment_create

    return commitment_create(actor=actor, data=commitment_input(agency, **overrides))


def published_commitment(world: Any, **overrides: Any) -> Any:
    """A commitment of agency A entered by its clerk, submitted by its reviewer and published by the credit office."""
    from commitments.services import commitment_publish, commitment_submit

    commitment = make_commitment(world.clerk_a, world.agency_a, **overrides)
    commitment = commitment_submit(actor=world.reviewer_a, commitment=commitment)
    return commitment_publish(actor=world.office_a, commitment=commitment)
