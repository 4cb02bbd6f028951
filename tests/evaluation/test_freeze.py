"""Freezing a period: a snapshot with a hash that never changes; a correction is a new version with a reason."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from evaluation import engine
from evaluation.models import Period, PeriodStatus, Score, Snapshot, SnapshotGrade
from evaluation.selectors import latest_frozen_grade
from evaluation.services.periods import period_correct, period_freeze, snapshot_verify
from evaluation.services.recompute import mark_dirty, recompute_dirty
from kernel.errors import DomainError, NotAllowed
from tests.conftest import City
from tests.evaluation.conftest import publish


def test_the_city_office_freezes_a_period_and_the_snapshot_never_changes(
    world: City, period: Period, city_office: User
) -> None:
    snapshot = period_freeze(actor=city_office, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.FROZEN
    assert snapshot.version == 1 and snapshot.frozen_by == city_office and snapshot_verify(snapshot)
    assert len(snapshot.content["units"]) == Score.objects.filter(period=period).count() == 6
    assert snapshot.content["indicator_set"]["version"] == period.indicator_set.version
    assert latest_frozen_grade(world.agency_a) is not None

    # Model guards: no save, no update, no delete.
    snapshot.reason = "改一下"
    with pytest.raises(PermissionError):
        snapshot.save()
    with pytest.raises(PermissionError):
        Snapshot.objects.filter(pk=snapshot.pk).update(reason="x")
    with pytest.raises(PermissionError):
        snapshot.delete()
    with pytest.raises(PermissionError):
        SnapshotGrade.objects.filter(snapshot=snapshot).delete()
    # Service guards: no second freeze, no recompute of a frozen period, no dirty mark for it.
    with pytest.raises(DomainError):
        period_freeze(actor=city_office, period=period)
    with pytest.raises(engine.FrozenPeriod):
        engine.recompute(period)
    assert mark_dirty([world.agency_a.pk], period.start) == 0
    fresh = Snapshot.objects.get(pk=snapshot.pk)
    assert fresh.sha256 == snapshot.sha256 and snapshot_verify(fresh)


def test_a_change_after_the_freeze_shows_only_in_a_corrected_version(
    world: City, period: Period, city_office: User
) -> None:
    first = period_freeze(actor=city_office, period=period)
    before = SnapshotGrade.objects.get(snapshot=first, agency=world.agency_a).total
    publish(world, severity="general")
    recompute_dirty()
    assert Score.objects.get(period=period, agency=world.agency_a).total == before  # frozen: not recomputed
    with pytest.raises(DomainError):
        period_correct(actor=city_office, period=period, reason=" ")
    second = period_correct(actor=city_office, period=period, reason="失信记录补录")
    assert second.version == 2 and second.reason == "失信记录补录"
    assert SnapshotGrade.objects.get(snapshot=second, agency=world.agency_a).total < before
    assert SnapshotGrade.objects.get(snapshot=first, agency=world.agency_a).total == before
    assert latest_frozen_grade(world.agency_a.pk).version == 2  # type: ignore[union-attr]
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(
            period=period,
            version=3,
            indicator_set=period.indicator_set,
            frozen_by=city_office,
            frozen_at=second.frozen_at,
            sha256="0" * 64,
            content={},
            reason="",
        )


def test_only_the_city_office_freezes(world: City, period: Period) -> None:
    for user in (world.office_a, world.clerk_a, world.outsider):
        with pytest.raises(NotAllowed):
            period_freeze(actor=user, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
