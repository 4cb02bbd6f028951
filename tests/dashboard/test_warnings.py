"""Early warnings (dashboard/warnings.py, docs/dashboards.md): each kind on a fixed clock, the registry, the scope,
the page with its filters, counts and Excel export, and the idempotent notice job."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from dashboard.jobs import warning_notices_send
from dashboard.models import WarningNotice
from dashboard.warnings import warnings_for
from kernel.warnings import ORANGE, RED, YELLOW, EarlyWarning, register_warning_source
from notices.models import Notification
from tests.conftest import City
from tests.dashboard.support import DAY, D, at, complaint_about, record_in, rectification_due, sme_obligation
from tests.factories import published_commitment

pytestmark = pytest.mark.django_db


def kinds_of(warnings: list[EarlyWarning], kind: str) -> list[EarlyWarning]:
    return [w for w in warnings if w.kind == kind]


def test_a_commitment_warns_yellow_then_orange_then_red(world: City) -> None:
    with at(DAY):
        commitment = published_commitment(world, due_on=D(2026, 12, 20), year=2026)
        assert kinds_of(warnings_for(None, DAY), "commitment") == []  # 48 days ahead
    levels = {}
    for day in (D(2026, 11, 25), D(2026, 12, 15), D(2026, 12, 22)):
        found = kinds_of(warnings_for(world.office_a, day), "commitment")
        assert [w.key for w in found] == [f"commitment:{commitment.pk}"]
        levels[day] = (found[0].severity, found[0].days_left, found[0].days_overdue)
    assert levels == {
        D(2026, 11, 25): (YELLOW, 25, 0),
        D(2026, 12, 15): (ORANGE, 5, 0),
        D(2026, 12, 22): (RED, -2, 2),
    }
    found = kinds_of(warnings_for(world.office_a, D(2026, 12, 22)), "commitment")[0]
    assert found.agency_id == world.agency_a.pk and found.link.endswith(f"/{commitment.pk}/")


def test_sme_payments_due_and_overdue(world: City) -> None:
    late = sme_obligation(world, world.agency_a, due_on=D(2026, 10, 20), status="overdue")
    soon = sme_obligation(world, world.agency_a, due_on=D(2026, 11, 6), status="pending")
    later = sme_obligation(world, world.agency_a, due_on=D(2027, 3, 1), status="pending")
    found = {w.key: (w.severity, w.days_left) for w in kinds_of(warnings_for(world.office_a, DAY), "sme_payment")}
    assert found == {f"sme_payment:{late.pk}": (RED, -13), f"sme_payment:{soon.pk}": (ORANGE, 4)}
    assert f"sme_payment:{later.pk}" not in found


def test_a_rectification_overdue_is_red(world: City) -> None:
    record = record_in(world, severity="serious")
    rectification = rectification_due(record, D(2026, 11, 30))
    assert rectification is not None
    assert kinds_of(warnings_for(world.office_a, D(2026, 11, 10)), "rectification") == []
    orange = kinds_of(warnings_for(world.office_a, D(2026, 11, 25)), "rectification")
    red = kinds_of(warnings_for(world.office_a, D(2026, 12, 3)), "rectification")
    assert [(w.severity, w.days_left) for w in orange] == [(ORANGE, 5)]
    assert [(w.severity, w.days_overdue) for w in red] == [(RED, 3)]


def test_a_case_stage_overdue_is_red_and_names_no_filer(world: City) -> None:
    record = record_in(world)
    with at(DAY):
        complaint = complaint_about(record, stage_due_on=D(2026, 11, 20))
    assert kinds_of(warnings_for(world.office_a, D(2026, 11, 20)), "case_stage") == []
    found = kinds_of(warnings_for(world.office_a, D(2026, 11, 23)), "case_stage")
    assert [(w.key, w.severity, w.days_overdue) for w in found] == [(f"complaint:{complaint.pk}", RED, 3)]
    assert "王律师" not in found[0].what


def test_three_complaints_in_90_days_about_one_unit(world: City) -> None:
    record = record_in(world)
    for day in (D(2026, 11, 3), D(2026, 12, 1)):
        with at(day):
            complaint_about(record)
    assert kinds_of(warnings_for(world.office_a, D(2026, 12, 2)), "complaint_cluster") == []
    with at(D(2027, 1, 10)):
        complaint_about(record)
    found = kinds_of(warnings_for(world.office_a, D(2027, 1, 10)), "complaint_cluster")
    assert [(w.agency_id, w.severity) for w in found] == [(world.agency_a.pk, ORANGE)]
    # 90 days after the first, the run is down to two.
    assert kinds_of(warnings_for(world.office_a, D(2027, 2, 2)), "complaint_cluster") == []


def test_a_debt_region_at_a_tier_warns_at_that_level(world: City) -> None:
    from sectors.services.debt import debt_year_publish
    from tests.sectors.debt_support import make_year

    with at(DAY):
        # Debt ratio 800 / 300 = 267 %: orange (from 200 %).
        row = make_year(world.office_a, world.district_a, fiscal_capacity=Decimal("300"))
        debt_year_publish(actor=world.office_a, row=row)
    found = kinds_of(warnings_for(world.office_a, DAY), "debt_tier")
    assert [(w.agency_id, w.severity) for w in found] == [(world.district_a.pk, ORANGE)]
    assert kinds_of(warnings_for(world.office_b, DAY), "debt_tier") == []


def test_tender_points_at_80_percent_of_a_threshold(world: City) -> None:
    from sectors.models import BadBehaviour, ScoringThreshold, TenderParty
    from tests.sectors.tendering_support import make_scheme

    with at(D(2026, 1, 5)):
        scheme = make_scheme(world.admin)
    threshold = ScoringThreshold.objects.filter(scheme=scheme, basis="cumulative").order_by("points").first()
    if threshold is None:
        pytest.skip("the test scheme has no cumulative threshold")
    item = scheme.items.filter(party_kind=threshold.party_kind).first()
    assert item is not None
    party = TenderParty.objects.create(
        kind=threshold.party_kind, name="临江建设有限公司", uscc="91330100MA2XXXXX1X", registered_by=world.agency_a
    )
    points = int(Decimal(threshold.points) * Decimal("0.8") + 1)
    BadBehaviour.objects.create(
        party=party,
        item=item,
        points=points,
        decided_by=world.agency_a,
        document_number="临招罚〔2026〕1号",
        decided_on=D(2026, 10, 1),
        facts="串通投标。",
        publish_by=D(2026, 10, 8),
        created_by=world.admin,
    )
    found = kinds_of(warnings_for(world.office_a, DAY), "tender_points")
    assert [(w.agency_id, w.severity) for w in found] == [(world.agency_a.pk, ORANGE)]


def test_the_registry_takes_more_sources_and_scope_holds(world: City) -> None:
    def npc_replies(user: object, today: datetime.date) -> list[EarlyWarning]:
        return [
            EarlyWarning(
                kind="npc_reply",
                key="npc:1",
                agency_id=world.agency_b.pk,
                agency_name=world.agency_b.name,
                agency_path=world.agency_b.path,
                what="建议答复",
                severity=RED,
                due_on=today,
                days_left=0,
            )
        ]

    register_warning_source("npc_reply", "人大建议答复", npc_replies)
    try:
        assert [w.key for w in kinds_of(warnings_for(None, DAY), "npc_reply")] == ["npc:1"]
    finally:
        from kernel import warnings as registry

        registry._SOURCES.pop("npc_reply", None)
    with at(DAY):
        published_commitment(world, due_on=D(2026, 11, 10), year=2026)
    assert len(warnings_for(world.office_a, DAY)) == 1
    assert warnings_for(world.office_b, DAY) == []
    assert warnings_for(world.outsider, DAY) == []


def test_the_page_filters_counts_and_exports(client: Client, world: City) -> None:
    with at(DAY):
        published_commitment(world, due_on=D(2026, 11, 6), year=2026)
        published_commitment(world, due_on=D(2026, 11, 30), year=2026)
    sme_obligation(world, world.agency_b, due_on=D(2026, 10, 1), status="overdue")
    client.force_login(world.office_a)
    with at(DAY):
        page = client.get("/staff/warnings/")
        assert page.status_code == 200
        body = page.content.decode()
        assert body.count('data-kind="commitment" data-severity') == 2
        assert "西城区财政局" not in body  # district B's arrears
        orange = client.get("/staff/warnings/", {"severity": "orange"}).content.decode()
        assert orange.count("data-severity=") == 1
        export = client.get("/staff/warnings/export/", {"kind": "commitment"})
        assert client.get("/staff/warnings/", {"unit": world.agency_b.pk}).status_code == 404
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 + 2 and rows[3][2] == world.agency_a.name


def test_the_page_is_refused_to_the_public_and_shows_an_outsider_nothing_of_others(client: Client, world: City) -> None:
    with at(DAY):
        published_commitment(world, due_on=D(2026, 11, 10), year=2026)
        assert client.get("/staff/warnings/").status_code == 302
        assert client.get("/staff/warnings/export/").status_code == 302
        client.force_login(world.outsider)
        body = client.get("/staff/warnings/").content.decode()
    assert 'id="empty-state"' in body and "东城区财政局" not in body


def test_the_notice_job_sends_once_per_warning_and_level(world: City) -> None:
    with at(DAY):
        commitment = published_commitment(world, due_on=D(2026, 11, 25), year=2026)
    before = Notification.objects.count()
    with at(DAY):
        first = warning_notices_send(today=DAY)
        again = warning_notices_send(today=DAY)
    assert (first.sent, again.sent) == (1, 0)
    sent = Notification.objects.count() - before
    assert sent == 2  # the unit and its credit office
    assert {n.agency_id for n in Notification.objects.order_by("-pk")[:2]} == {world.agency_a.pk, world.district_a.pk}
    with at(D(2026, 11, 20)):
        assert warning_notices_send(today=D(2026, 11, 20)).sent == 1  # now orange: a new level
    with at(D(2026, 11, 21)):
        assert warning_notices_send(today=D(2026, 11, 21)).sent == 0
    assert set(WarningNotice.objects.values_list("key", "severity")) == {
        (f"commitment:{commitment.pk}", YELLOW),
        (f"commitment:{commitment.pk}", ORANGE),
    }
