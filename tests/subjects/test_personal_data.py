import logging

import pytest
from django.db import connection

from kernel.errors import DomainError, NotAllowed
from subjects.models import AccessAction, CivilServant, PersonalDataAccess
from subjects.services import civil_servant_lookup_by_id_number, civil_servant_reveal_id_number
from tests.conftest import City

FULL_ID = "33010219850312148X"


def test_it_never_stores_the_id_number_in_the_clear(world: City) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM records_civilservant WHERE id = %s", [world.person_a.pk])
        row = cursor.fetchone()
        cursor.execute("SELECT * FROM records_historicalcivilservant WHERE id = %s", [world.person_a.pk])
        history_rows = cursor.fetchall()
    stored = " ".join(str(value) for value in row)
    stored_history = " ".join(str(value) for r in history_rows for value in r)
    assert FULL_ID not in stored and FULL_ID.lower() not in stored
    assert FULL_ID not in stored_history
    assert "3301**********148X" in stored


def test_it_finds_a_person_by_full_id_number_in_scope(world: City) -> None:
    found = civil_servant_lookup_by_id_number(actor=world.office_a, id_number=" 33010219850312148x ", channel="web")
    assert found == world.person_a
    log = PersonalDataAccess.objects.get(action=AccessAction.LOOKUP_BY_ID)
    assert log.actor == world.office_a and log.person == world.person_a


def test_it_finds_nobody_outside_the_scope_and_still_logs_the_search(world: City) -> None:
    assert civil_servant_lookup_by_id_number(actor=world.outsider, id_number=FULL_ID, channel="api") is None
    assert PersonalDataAccess.objects.filter(actor=world.outsider, person=None).count() == 1


def test_it_reveals_the_full_number_only_to_an_inspector_and_logs_it(world: City) -> None:
    reveal = {"person": world.person_a, "channel": "web", "purpose": "2026年处级干部提拔考察"}
    assert civil_servant_reveal_id_number(actor=world.inspector_a, **reveal) == FULL_ID
    log = PersonalDataAccess.objects.get(actor=world.inspector_a, action=AccessAction.REVEAL_ID)
    assert log.purpose == "2026年处级干部提拔考察"
    for user in (world.clerk_a, world.reviewer_a, world.office_a, world.sector_a, world.admin):
        with pytest.raises(NotAllowed):
            civil_servant_reveal_id_number(actor=user, **reveal)
    assert PersonalDataAccess.objects.filter(action=AccessAction.REVEAL_ID).count() == 1


def test_a_number_is_revealed_only_for_a_stated_purpose(world: City) -> None:
    with pytest.raises(DomainError) as refused:
        civil_servant_reveal_id_number(actor=world.inspector_a, person=world.person_a, channel="web", purpose="  ")

    assert refused.value.field == "purpose"
    assert not PersonalDataAccess.objects.filter(action=AccessAction.REVEAL_ID).exists()


def test_an_inspector_cannot_reveal_a_number_outside_the_region(world: City) -> None:
    with pytest.raises(NotAllowed):
        civil_servant_reveal_id_number(actor=world.inspector_a, person=world.person_b, channel="web", purpose="考察")


def test_it_masks_id_numbers_in_every_log_line(world: City, caplog: pytest.LogCaptureFixture) -> None:
    from subjects.personal_data import MaskIdNumbersFilter

    logger = logging.getLogger("govcredit.test")
    handler_filter = MaskIdNumbersFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("no match for %s in %s", FULL_ID, world.agency_a.name)
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert FULL_ID not in caplog.text
    assert "3301**********148X" in caplog.text


def test_the_configured_console_handler_masks_id_numbers() -> None:
    from django.conf import settings

    assert "mask_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]


def test_a_person_is_unique_by_id_number(world: City) -> None:
    from kernel.errors import DomainError
    from tests.factories import make_person

    with pytest.raises(DomainError) as caught:
        make_person(world.agency_b, "张伟", id_number=FULL_ID)
    assert caught.value.field == "id_number"
    assert CivilServant.objects.count() == 2
