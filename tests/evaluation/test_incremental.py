"""Incremental recompute equals a fresh full computation, over random changes (Hypothesis)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import engine
from evaluation.models import Indicator, Period, Score
from evaluation.services.manual import manual_score_enter
from evaluation.services.recompute import full_check, recompute_dirty
from records.services import record_create, record_publish, record_revoke, record_submit
from tests.conftest import City
from tests.factories import record_input

CHANGE = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(["a", "b", "unit"]), st.sampled_from(["minor", "general", "serious"])),
    st.tuples(st.just("revoke"), st.integers(0, 5), st.just("")),
    st.tuples(st.just("manual"), st.sampled_from(["a", "b", "unit"]), st.sampled_from(["0", "1.5", "3"])),
)


def stored_equals_fresh(period: Period) -> bool:
    stored = {s.agency_id: s for s in Score.objects.filter(period=period)}
    fresh = engine.compute(period)
    return set(stored) == set(fresh) and all(
        getattr(stored[a], k) == v for a, result in fresh.items() for k, v in result.values().items()
    )


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CHANGE, min_size=1, max_size=4))
def test_incremental_equals_full_over_random_changes(
    world: City, period: Period, city_office: object, changes: list[tuple[str, object, str]]
) -> None:
    units = {"a": world.agency_a, "b": world.agency_b, "unit": world.unit_a}
    published = []
    f1 = Indicator.objects.get(indicator_set=period.indicator_set, code="F1")
    for kind, who, value in changes:
        if kind == "record":
            subject = units[str(who)]
            clerk, reviewer = world.clerk_a, world.reviewer_a
            data = record_input(
                subject,
                source_agency=world.agency_a,
                severity=value,
                decision_date=timezone.localdate() - datetime.timedelta(days=5),
            )
            record = record_submit(actor=reviewer, record=record_create(actor=clerk, data=data))
            office_for = world.office_a if subject != world.agency_b else world.office_b
            published.append(record_publish(actor=office_for, record=record))
        elif kind == "revoke" and published:
            record = published.pop(int(who) % len(published))  # type: ignore[call-overload]
            office_for = world.office_a if record.subject_agency_id != world.agency_b.pk else world.office_b
            record_revoke(actor=office_for, record=record, reason="错误公开")
        elif kind == "manual":
            manual_score_enter(
                actor=city_office,  # type: ignore[arg-type]
                period=period,
                agency=units[str(who)],
                indicator=f1,
                points=value,
                note="经验做法被省级推广",
                evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf"),
            )
        recompute_dirty()
        assert stored_equals_fresh(period)
    assert full_check(period).differences == 0
