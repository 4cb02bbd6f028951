"""Every change to a business model keeps who, when, before and after; nothing is hard-deleted."""

import pytest
from django.db.models import ProtectedError

from subjects.models import Agency, AgencyEvent, AnnualAssessment, CivilServant
from subjects.services import assessment_record, civil_servant_update
from tests.conftest import City


def test_a_change_keeps_who_when_and_the_values_before_and_after(world: City) -> None:
    civil_servant_update(
        actor=world.clerk_a, person=world.person_a, name="张伟", position="科长", rank="一级主任科员", is_principal=True
    )
    newest, previous = world.person_a.history.order_by("-history_date")[:2]
    diff = newest.diff_against(previous)
    changed = {change.field: (change.old, change.new) for change in diff.changes}
    assert changed["position"] == ("科员", "科长")
    assert changed["is_principal"] == (False, True)
    assert newest.history_date is not None


def test_the_history_records_the_acting_user_of_a_web_request(world: City, client: object) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    from simple_history.models import HistoricalRecords

    # HistoryRequestMiddleware sets the user for changes made during a request; services run inside requests.
    class Request:
        user = world.clerk_a

    HistoricalRecords.context.request = Request()
    try:
        assessment_record(actor=world.clerk_a, person=world.person_a, year=2023, result="competent")
    finally:
        del HistoricalRecords.context.request
    record = AnnualAssessment.history.get()
    assert record.history_user == world.clerk_a
    assert record.history_type == "+"


def test_business_rows_cannot_be_deleted_one_by_one_or_in_bulk(world: City) -> None:
    with pytest.raises(PermissionError):
        world.person_a.delete()
    with pytest.raises(PermissionError):
        CivilServant.objects.filter(pk=world.person_a.pk).delete()
    with pytest.raises(PermissionError):
        AgencyEvent.objects.all().delete()
    assert CivilServant.objects.filter(pk=world.person_a.pk).exists()


def test_the_database_refuses_to_drop_an_agency_that_has_people(world: City) -> None:
    # Even a raw Django delete collector stops at PROTECT foreign keys.
    from django.db.models.deletion import Collector

    collector = Collector(using="default")
    with pytest.raises(ProtectedError):
        collector.collect([world.agency_a])
    assert Agency.objects.filter(pk=world.agency_a.pk).exists()
