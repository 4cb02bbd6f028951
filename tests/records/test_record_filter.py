from types import SimpleNamespace

from records.filters import RecordFilter
from records.models import DishonestyRecord
from records.services import record_submit
from tests.conftest import City
from tests.factories import make_record


def filtered(world: City, user: object, **params: object) -> list[str]:
    request = SimpleNamespace(user=user)
    queryset = DishonestyRecord.objects.visible_to(user)
    result = RecordFilter(data=params, queryset=queryset, request=request)
    assert result.is_valid(), result.errors
    return sorted(r.document_number for r in result.qs)


def test_it_filters_by_status_text_and_subtree(world: City) -> None:
    a = make_record(world.clerk_a, world.agency_a, document_number="东财〔2026〕1号")
    make_record(world.clerk_a, world.agency_a, document_number="东财〔2026〕2号", subject_person=world.person_a)
    make_record(world.outsider, world.agency_b, document_number="西财〔2026〕1号")
    record_submit(actor=world.reviewer_a, record=a)
    assert filtered(world, world.admin, status=["submitted"]) == ["东财〔2026〕1号"]
    assert filtered(world, world.admin, q="张伟") == ["东财〔2026〕2号"]
    assert filtered(world, world.admin, q="西财") == ["西财〔2026〕1号"]
    assert filtered(world, world.admin, subtree_of=world.district_a.pk) == ["东财〔2026〕1号", "东财〔2026〕2号"]
    # A subtree outside the caller's scope yields nothing, not an error.
    assert filtered(world, world.office_a, subtree_of=world.district_b.pk) == []
    assert filtered(world, world.outsider) == ["西财〔2026〕1号"]


def test_it_refuses_values_it_cannot_read(world: City) -> None:
    result = RecordFilter(
        data={"status": ["nonsense"], "decided_from": "yesterday"},
        queryset=DishonestyRecord.objects.all(),
        request=SimpleNamespace(user=world.admin),
    )
    assert not result.is_valid()
    assert set(result.errors) == {"status", "decided_from"}
