"""The open-data sets of this app (reports/opendata.py registry): what the public API and pages show, no more."""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment
from disclosure.api import PublicCommitmentSerializer, PublicRecordSerializer
from records.models import DishonestyRecord
from reports.opendata import Field, OpenDataset, register_open_dataset
from sectors.models import DebtRegionYear, OverdueDisclosure, RiskTierRule
from sectors.services.debt import debt_indicators

CHUNK = 2000

RECORD_FIELDS = (
    Field("id", _("Record number in this system"), "integer"),
    Field("subject_kind", _("Subject kind: agency or person"), "text"),
    Field("subject_name", _("Subject: the agency's name, or 张某 for a civil servant"), "text"),
    Field("subject_agency_name", _("The agency's name (administrative counterpart)"), "text", "cf_xdr_mc"),
    Field("subject_agency_uscc", _("The agency's Unified Social Credit Code"), "text", "cf_xdr_shxym"),
    Field("source", _("Source of the record (kind of decision)"), "text", "cf_wfxw"),
    Field("sector", _("Sector"), "text"),
    Field("severity", _("Severity: general or serious"), "text"),
    Field("document_number", _("Decision document number"), "text", "cf_wsh"),
    Field("deciding_body_name", _("Deciding body"), "text", "cf_cfjg"),
    Field("deciding_body_uscc", _("Deciding body's code"), "text", "cf_cfjgdm"),
    Field("decision_date", _("Decision date"), "date", "cf_jdrq"),
    Field("facts", _("Facts (persons as 张某, ID numbers removed)"), "text", "cf_sy"),
    Field("legal_basis", _("Legal basis"), "text", "cf_yj"),
    Field("categories", _("Categories"), "text", "cf_cflb"),
    Field("fine_amount", _("Fine (10,000 yuan)"), "decimal", "cf_nr_fk"),
    Field("data_source_agency_name", _("Agency that supplied the record"), "text", "cf_sjly"),
    Field("data_source_agency_uscc", _("Code of the agency that supplied the record"), "text", "cf_sjlydm"),
    Field("corrected", _("Corrected after publication"), "boolean"),
    Field("under_objection", _("An accepted objection is being verified"), "boolean", "yybz"),
    Field("disclosure_starts_on", _("Disclosure starts"), "date"),
    Field("disclosure_ends_on", _("Last day disclosed"), "date", "cf_gsjzq"),
    Field("published_at", _("Published at"), "datetime"),
    Field("updated_at", _("Updated at"), "datetime"),
)


def _flatten(data: dict[str, Any], *nested: str) -> dict[str, Any]:
    for key in nested:
        inner = data.pop(key, None) or {}
        data[f"{key}_name"] = inner.get("name")
        data[f"{key}_uscc"] = inner.get("uscc")
    return data


def record_rows() -> Iterator[dict[str, Any]]:
    records = (
        DishonestyRecord.objects.disclosed()
        .select_related("subject_agency", "data_source_agency")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    for record in records:
        yield _flatten(dict(PublicRecordSerializer(record).data), "subject_agency", "data_source_agency")


COMMITMENT_FIELDS = (
    Field("id", _("Commitment number in this system"), "integer"),
    Field("code", _("Commitment code"), "text"),
    Field("agency_name", _("Promising agency"), "text"),
    Field("agency_uscc", _("Promising agency's code"), "text"),
    Field("responsible_person", _("Responsible civil servant as 张某"), "text"),
    Field("kind", _("Kind"), "text"),
    Field("title", _("Title"), "text"),
    Field("content", _("Content"), "text"),
    Field("target", _("Target"), "text"),
    Field("promised_on", _("Promised on"), "date"),
    Field("due_on", _("Due on"), "date"),
    Field("year", _("Year"), "integer"),
    Field("status", _("Status"), "text"),
    Field("progress_percent", _("Progress (percent)"), "integer"),
    Field("overdue", _("Without an outcome and past its due date"), "boolean"),
    Field("outcome_reason", _("Outcome"), "text"),
    Field("change_ground", _("Ground of a lawful change"), "text"),
    Field("published_at", _("Published at"), "datetime"),
    Field("updated_at", _("Updated at"), "datetime"),
)


def commitment_rows() -> Iterator[dict[str, Any]]:
    commitments = (
        Commitment.objects.public()
        .select_related("agency", "responsible_person")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    for commitment in commitments:
        yield _flatten(dict(PublicCommitmentSerializer(commitment).data), "agency")


OVERDUE_FIELDS = (
    Field("agency_name", _("Agency"), "text"),
    Field("agency_uscc", _("Agency's code"), "text"),
    Field("year", _("Year"), "integer"),
    Field("contract_count", _("Contracts"), "integer"),
    Field("obligation_count", _("Payments"), "integer"),
    Field("amount", _("Overdue and unpaid (yuan)"), "decimal"),
    Field("interest", _("Overdue interest (yuan)"), "decimal"),
    Field("oldest_days", _("Oldest days overdue"), "integer"),
    Field("published_at", _("Published at"), "datetime"),
)


def overdue_rows() -> Iterator[dict[str, Any]]:
    for s in OverdueDisclosure.objects.published().select_related("agency").order_by("pk").iterator(CHUNK):
        yield {
            "agency_name": s.agency.name,
            "agency_uscc": s.agency.uscc,
            "year": s.year,
            "contract_count": s.contract_count,
            "obligation_count": s.obligation_count,
            "amount": s.amount,
            "interest": s.interest,
            "oldest_days": s.oldest_days,
            "published_at": s.published_at.isoformat() if s.published_at else None,
        }


DEBT_FIELDS = (
    Field("region_name", _("Region"), "text"),
    Field("region_uscc", _("Region government's code"), "text"),
    Field("year", _("Year"), "integer"),
    Field("limit_general", _("General debt limit (10,000 yuan)"), "decimal"),
    Field("limit_special", _("Special debt limit (10,000 yuan)"), "decimal"),
    Field("balance_general", _("General debt balance (10,000 yuan)"), "decimal"),
    Field("balance_special", _("Special debt balance (10,000 yuan)"), "decimal"),
    Field("fiscal_capacity", _("Fiscal capacity (10,000 yuan)"), "decimal"),
    Field("tier", _("Risk tier"), "text"),
)


def debt_rows() -> Iterator[dict[str, Any]]:
    rules = list(RiskTierRule.objects.all())
    rows = DebtRegionYear.objects.published().with_indicators().select_related("region").order_by("pk")
    for row in rows.iterator(CHUNK):
        yield {
            "region_name": row.region.name,
            "region_uscc": row.region.uscc,
            "year": row.year,
            "limit_general": row.limit_general,
            "limit_special": row.limit_special,
            "balance_general": row.balance_general,
            "balance_special": row.balance_special,
            "fiscal_capacity": row.fiscal_capacity,
            "tier": debt_indicators(row, rules=rules).tier,
        }


def register() -> None:
    register_open_dataset(OpenDataset("records", _("Dishonesty records"), RECORD_FIELDS, record_rows, 10))
    register_open_dataset(OpenDataset("commitments", _("Public commitments"), COMMITMENT_FIELDS, commitment_rows, 20))
    register_open_dataset(
        OpenDataset("sme_overdue", _("Overdue payments to SMEs (statements)"), OVERDUE_FIELDS, overdue_rows, 30)
    )
    register_open_dataset(OpenDataset("debt", _("Government debt by region and year"), DEBT_FIELDS, debt_rows, 40))
