"""A record as the municipal public credit platform receives it: the national 双公示 field codes (docs/domain.md §10).

The subject (行政相对人) of a government integrity record is the agency; a record about a civil servant names the
agency and carries the person only as the responsible person in `bz`, masked, so no ID number leaves the system.
"""

import datetime
from typing import Any

from records.models import TEXT_LIMITS, DishonestyRecord, RecordSource, Severity


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _amount(value: Any) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _date(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def platform_payload(record: DishonestyRecord, *, change_type: str) -> dict[str, Any]:
    person = record.subject_person
    remarks = [f"失信程度：{Severity(record.severity).label}"]
    if person is not None:
        remarks.append(f"责任人：{person.name[:1]}某")
    return {
        "record_id": record.pk,
        "version": record.version,
        "change_type": change_type,
        "cf_xdr_mc": record.subject_agency.name,
        "cf_xdr_shxym": record.subject_agency.uscc,
        "cf_wsh": record.document_number,
        "cf_wfxw": str(RecordSource(record.source).label),
        "cf_sy": record.facts,
        "cf_yj": record.legal_basis,
        "cf_cflb": record.categories,
        # 处罚内容 takes 4,000 characters, the facts up to 5,000: a fallback to the facts is cut to fit.
        "cf_nr": record.loss_description or _cut(record.facts, TEXT_LIMITS["loss_description"]),
        "cf_nr_fk": _amount(record.fine_amount),
        "cf_jdrq": record.decision_date.isoformat(),
        # 公示截止期: the last day shown; empty when gkbz is "0", as for any optional code the record has no value
        # for (docs/disclosure-periods.md).
        "cf_gsjzq": _date(record.disclosed_until),
        "cf_cfjg": record.deciding_body_name,
        "cf_cfjgdm": record.deciding_body_uscc,
        "cf_sjly": record.data_source_agency.name,
        "cf_sjlydm": record.data_source_agency.uscc,
        "gkbz": "1" if record.publicly_disclosed else "0",
        "zt": record.status,
        # 异议标注: an accepted objection is being handled and the measures are suspended — on every version of the
        # record, whatever the change (a correction during an objection is still under objection).
        "yybz": "1" if record.under_objection else "0",
        "bz": "；".join(str(r) for r in remarks),
    }
