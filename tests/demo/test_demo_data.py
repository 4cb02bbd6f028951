"""The demo city (`manage.py demo_city`) and the benchmark generator (`manage.py generate_scale`)."""

import datetime
import io
import stat
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from stdnum.cn import ric as stdnum_ric

from accounts.models import Role, User
from demo.management.commands.demo_city import (
    CITY_USCC,
    DEMO_USERS,
    STATE_COUNTS,
    build_city,
    demo_password,
    demo_records_loaded,
)
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureState,
    RecordEvent,
    RecordStatus,
    Rectification,
    Severity,
)
from subjects.codes import validate_uscc
from subjects.models import (
    Agency,
    AgencyKind,
    AnnualAssessment,
    AssessmentResult,
    CivilServant,
    CivilServantMove,
    IntegrityTraining,
    PersonalMattersReport,
)
from subjects.personal_data import validate_id_number

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests-7"
DEMO_ROLES = {
    "demo-clerk": Role.CLERK,
    "demo-reviewer": Role.REVIEWER,
    "demo-office": Role.CREDIT_OFFICE,
    "demo-office-2": Role.CREDIT_OFFICE,
    "demo-sector": Role.SECTOR_AUTHORITY,
    "demo-inspector": Role.INSPECTOR,
    "demo-admin": Role.ADMINISTRATOR,
    "demo-clerk-2": Role.CLERK,
    "demo-city-office": Role.CREDIT_OFFICE,
    "demo-city-office-2": Role.CREDIT_OFFICE,
}


@pytest.fixture(autouse=True)
def _late_2026() -> Iterator[None]:
    # Which records are still public depends on the day: the demo is checked on a fixed one.
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)):
        yield


def load_demo_city() -> str:
    out = io.StringIO()
    call_command("demo_city", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table of ours, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "records", "workcalendar", "repair", "commitments"}
    }


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/staff/login/")
    return authenticate(request=request, username=username, password=password) is not None


def assert_every_code_and_id_number_is_valid() -> None:
    for uscc in Agency.objects.values_list("uscc", flat=True):
        validate_uscc(uscc)
    for person in CivilServant.objects.all():
        number = person.decrypted_id_number()
        validate_id_number(number)
        # And by python-stdnum, called as it expects (the whole number): an oracle independent of our code.
        assert stdnum_ric.calc_check_digit(number) == number[17]
        assert "*" in person.id_number_masked


def test_it_loads_a_believable_city_once(settings: Any, tmp_path: Path) -> None:
    settings.DEMO_PASSWORD, settings.VAR_DIR = PASSWORD, tmp_path

    first_output = load_demo_city()
    after_first = row_counts()
    second_output = load_demo_city()

    assert row_counts() == after_first
    assert PASSWORD not in first_output + second_output
    assert Agency.objects.count() >= 60
    assert CivilServant.objects.count() >= 200
    assert set(Agency.objects.values_list("kind", flat=True)) >= {
        AgencyKind.GOVERNMENT,
        AgencyKind.DEPARTMENT,
        AgencyKind.PUBLIC_INSTITUTION,
        AgencyKind.SUBDISTRICT,
        AgencyKind.TOWN,
        AgencyKind.RESIDENTS_COMMITTEE,
        AgencyKind.VILLAGERS_COMMITTEE,
    }
    city = Agency.objects.get(uscc=CITY_USCC)
    assert Agency.objects.filter(parent=city, kind=AgencyKind.GOVERNMENT).count() >= 3
    assert Agency.objects.subtree_of(city).count() == Agency.objects.count()
    assert_every_code_and_id_number_is_valid()
    principals = Counter(CivilServant.objects.filter(is_principal=True).values_list("agency_id", flat=True))
    assert set(principals) == set(Agency.objects.values_list("pk", flat=True))
    assert set(principals.values()) == {1}
    assert AnnualAssessment.objects.values("year").distinct().count() >= 3
    assert IntegrityTraining.objects.exists()
    assert PersonalMattersReport.objects.exists()
    assert CivilServantMove.objects.exists()
    assert_living_records()


def assert_living_records() -> None:
    """Records in every state and tier, from every rule, taken through the services by the demo users."""
    # The broken demo commitment, investment obligation and PPP payment proposed their candidate records, none of them
    # published; the others are the records builder's.
    found = DishonestyRecord.objects.filter(origin_type__isnull=False)
    assert set(found.values_list("status", flat=True)) == {RecordStatus.CANDIDATE}
    assert set(found.values_list("origin_type__model", flat=True)) >= {"commitment", "investmentobligation"}
    records = DishonestyRecord.objects.filter(origin_type__isnull=True)
    # The records builder plans every state but repaired; the demo cases then repair, correct and revoke a few.
    assert set(STATE_COUNTS) == set(RecordStatus.values) - {"repaired", "candidate", "dismissed"}
    assert set(records.values_list("status", flat=True)) == set(RecordStatus.values) - {"candidate", "dismissed"}
    assert records.count() == sum(STATE_COUNTS.values())
    assert 60 <= records.count() <= 100
    assert set(records.values_list("severity", flat=True)) == set(Severity.values)
    in_force = records.in_force()
    assert set(in_force.values_list("severity", flat=True)) == set(Severity.values)
    assert len(set(records.values_list("source", flat=True))) >= 6
    assert len(set(records.values_list("sector", flat=True))) >= 6
    assert len(set(records.values_list("subject_agency", flat=True))) >= 30
    assert records.filter(subject_person__isnull=False).count() >= 3
    assert {d.year for d in records.values_list("decision_date", flat=True)} == {2022, 2023, 2024, 2025, 2026}
    assert set(records.values_list("disclosure_rule__citation", flat=True)) == {
        "发改办财金〔2019〕527号",
        "国家发展改革委令2023年第58号",
        # Records decided under the 2023 rule whose source is not a penalty (docs/disclosure-periods.md).
        "发改办财金〔2019〕527号分级期限（第58号令施行期间行政处罚以外的失信信息）",
        "国家发展改革委令第36号《信用修复管理办法》",
    }
    assert records.exclude(special_field="").exists()

    # Every step left its event, by a demo user.
    kinds = Counter(RecordEvent.objects.values_list("kind", flat=True))
    assert kinds["created"] == records.count()
    assert kinds["published"] == records.filter(published_at__isnull=False).count()
    assert kinds["expired"] == STATE_COUNTS["expired"]
    assert {"submitted", "returned", "edited", "corrected", "revoked"} <= set(kinds)
    demo_users = set(User.objects.filter(username__in=[row[0] for row in DEMO_USERS]).values_list("pk", flat=True))
    # The expiry job and the jobs that find breaches (a candidate proposed by nobody) act as nobody.
    actors = set(RecordEvent.objects.exclude(kind__in=["expired", "proposed"]).values_list("actor", flat=True))
    assert actors <= demo_users
    assert len(actors) >= 4
    # Four eyes: nobody published a record they had submitted; demo-office publishes in its district.
    publishers: Counter[str] = Counter()
    for record in records.filter(published_at__isnull=False):
        steps = list(record.events.order_by("at", "pk").values_list("kind", "actor__username"))
        published_at = [kind for kind, _actor in steps].index("published")
        submitter = [actor for kind, actor in steps[:published_at] if kind == "submitted"][-1]
        assert submitter != steps[published_at][1], record
        publishers[steps[published_at][1]] += 1
    assert set(publishers) == {"demo-office", "demo-city-office"}

    # Measures in every state; rectifications answered, open and overdue.
    assert set(AppliedMeasure.objects.values_list("state", flat=True)) == set(MeasureState.values)
    assert not AppliedMeasure.objects.filter(record__status="revoked").exclude(state="lifted").exists()
    assert Rectification.objects.overdue().count() >= 5
    assert Rectification.objects.filter(submitted_at__isnull=False).count() >= 5
    # The integrity-file rule holds: nobody with a record that year was rated 优秀.
    for record in records.filter(subject_person__isnull=False).exclude(status__in=["draft", "revoked"]):
        assert not AnnualAssessment.objects.filter(
            person=record.subject_person, year=record.decision_date.year, result=AssessmentResult.EXCELLENT
        ).exists()

    # The public site has records to show, and never the drafts, revoked, expired or minor ones.
    public = DishonestyRecord.objects.disclosed()
    assert public.count() >= 20
    assert set(public.values_list("status", flat=True)) == {"published", "corrected"}
    assert not public.filter(severity=Severity.MINOR).exists()
    # Each demo clerk's agency has a queue to look at.
    for username in ("demo-clerk", "demo-clerk-2"):
        agency = User.objects.get(username=username).agency
        assert {"draft", "published"} <= set(records.filter(subject_agency=agency).values_list("status", flat=True))


def test_it_adds_the_records_to_a_city_loaded_before_they_existed(settings: Any, tmp_path: Path) -> None:
    settings.DEMO_PASSWORD, settings.VAR_DIR = PASSWORD, tmp_path
    build_city(PASSWORD)
    assert not demo_records_loaded()

    output = load_demo_city()
    counts = row_counts()
    load_demo_city()

    assert "Loaded 85 dishonesty records" in output
    assert DishonestyRecord.objects.filter(origin_type__isnull=True).count() == sum(STATE_COUNTS.values())
    assert row_counts() == counts


def test_a_city_loaded_with_wrong_check_characters_gets_the_standard_s_on_the_next_run(
    settings: Any, tmp_path: Path
) -> None:
    settings.DEMO_PASSWORD, settings.VAR_DIR = PASSWORD, tmp_path
    build_city(PASSWORD)
    people = list(CivilServant.objects.order_by("pk")[:5])
    first_17 = {}
    for person in people:
        # What the generator wrote before the check character was fixed: the same number with another check character.
        number = person.decrypted_id_number()
        first_17[person.pk] = number[:17]
        person.set_id_number(number[:17] + ("0" if number[17] != "0" else "1"))
        person.save(update_fields=["id_number_digest", "id_number_cipher", "id_number_masked"])

    output = load_demo_city()

    assert "Gave 5 demo ID numbers the check character of GB 11643." in output
    for person in people:
        person.refresh_from_db()
        assert person.decrypted_id_number()[:17] == first_17[person.pk]
    assert_every_code_and_id_number_is_valid()


def test_it_gives_each_role_a_demo_user_who_sees_what_the_role_should(settings: Any, tmp_path: Path) -> None:
    settings.DEMO_PASSWORD, settings.VAR_DIR = PASSWORD, tmp_path

    load_demo_city()

    users = {user.username: user for user in User.objects.filter(username__in=DEMO_ROLES).select_related("agency")}
    assert {name: user.role for name, user in users.items()} == DEMO_ROLES
    assert all(can_log_in(name, PASSWORD) for name in DEMO_ROLES)
    clerk, clerk_2, office = users["demo-clerk"], users["demo-clerk-2"], users["demo-office"]
    assert users["demo-reviewer"].agency == clerk.agency
    assert Agency.objects.visible_to(office).filter(pk=clerk.agency_id).exists()
    assert not Agency.objects.visible_to(clerk_2).filter(pk=clerk.agency_id).exists()
    assert CivilServant.objects.filter(agency=clerk.agency).exists()
    assert not CivilServant.objects.visible_to(clerk_2).filter(agency=clerk.agency).exists()
    assert CivilServant.objects.visible_to(clerk_2).exists()
    assert users["demo-sector"].sector
    assert users["demo-admin"].is_superuser and office.is_staff and not clerk.is_staff

    # A later run with another DEMO_PASSWORD adds nothing but makes the printed password the one that works.
    counts = row_counts()
    settings.DEMO_PASSWORD = "another-demo-password-8"
    load_demo_city()
    assert row_counts() == counts
    assert can_log_in("demo-clerk", "another-demo-password-8")


def test_it_generates_a_password_once_and_reuses_it(settings: Any, tmp_path: Path) -> None:
    settings.DEMO_PASSWORD = ""

    password, source = demo_password(tmp_path)
    again, _ = demo_password(tmp_path)

    assert password == again
    assert len(password) >= 12
    path = tmp_path / "demo-password.txt"
    assert source == str(path)
    assert path.read_text().strip() == password
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_it_prefers_demo_password_from_the_environment(settings: Any, tmp_path: Path) -> None:
    settings.DEMO_PASSWORD = PASSWORD

    assert demo_password(tmp_path) == (PASSWORD, "DEMO_PASSWORD")
    assert not (tmp_path / "demo-password.txt").exists()


def test_it_generates_benchmark_volumes_as_a_consistent_subtree() -> None:
    out = io.StringIO()

    call_command("generate_scale", agencies=50, people=300, batch_size=40, stdout=out)
    call_command("generate_scale", agencies=50, people=300, batch_size=40, stdout=out)

    roots = list(Agency.objects.filter(parent=None).order_by("pk"))
    assert len(roots) == 2
    for root in roots:
        subtree = list(Agency.objects.subtree_of(root).select_related("parent"))
        assert len(subtree) == 50
        for agency in subtree:
            expected = f"{agency.parent.path}{agency.pk}/" if agency.parent else f"/{agency.pk}/"
            assert agency.path == expected
        people = CivilServant.objects.filter(agency__path__startswith=root.path)
        assert people.count() == 300
        assert people.filter(is_principal=True).count() == 50
    assert_every_code_and_id_number_is_valid()
    assert "rows/s" in out.getvalue()


def test_the_demo_city_has_objections_complaints_and_repairs_in_their_states(settings: Any, tmp_path: Path) -> None:
    from repair.models import Complaint, Objection, RepairApplication

    settings.DEMO_PASSWORD, settings.VAR_DIR = PASSWORD, tmp_path
    load_demo_city()
    counts = {m: m.objects.count() for m in (Objection, Complaint, RepairApplication)}
    load_demo_city()
    assert counts == {m: m.objects.count() for m in (Objection, Complaint, RepairApplication)}

    assert {"filed", "checking", "verifying", "upheld", "rejected", "not_accepted"} <= set(
        Objection.objects.values_list("status", flat=True)
    )
    assert {"filed", "accepted", "material_requested", "granted", "refused"} <= set(
        RepairApplication.objects.values_list("status", flat=True)
    )
    assert {"filed", "handling", "resolved"} <= set(Complaint.objects.values_list("status", flat=True))


def test_the_demo_city_has_commitments_of_every_kind_in_every_state(settings: Any, tmp_path: Path) -> None:
    from commitments.models import (
        Commitment,
        CommitmentEvent,
        CommitmentKind,
        CommitmentStatus,
        CommitmentWarning,
        ProgressEvidence,
        ProgressReport,
        WarningKind,
    )

    settings.DEMO_PASSWORD, settings.VAR_DIR, settings.MEDIA_ROOT = PASSWORD, tmp_path, tmp_path / "media"
    output = load_demo_city()
    counts = row_counts()
    again = load_demo_city()

    assert "public commitments" in output
    assert "Its public commitments are already loaded; nothing added." in again
    assert row_counts() == counts
    commitments = Commitment.objects.all()
    assert set(commitments.values_list("status", flat=True)) == set(CommitmentStatus.values)
    assert set(commitments.values_list("kind", flat=True)) == set(CommitmentKind.values)
    assert commitments.filter(kind="town_service").exclude(service_area="").exists()
    assert Commitment.objects.open().filter(due_on__lt=datetime.date(2026, 11, 20)).exists()  # overdue
    assert ProgressReport.objects.count() >= 8 and ProgressEvidence.objects.exists()
    broken = commitments.get(status=CommitmentStatus.BROKEN)
    assert broken.breach_record is not None and broken.breach_record.status == RecordStatus.CANDIDATE
    assert {WarningKind.OVERDUE, WarningKind.DUE_7} <= set(CommitmentWarning.objects.values_list("kind", flat=True))
    assert len(set(commitments.values_list("year", flat=True))) >= 2
    # Every one went through the services: created, and moved with its events, by demo users.
    assert CommitmentEvent.objects.filter(kind="created").count() == commitments.count()
    demo_users = set(User.objects.filter(username__in=[row[0] for row in DEMO_USERS]).values_list("pk", flat=True))
    assert set(CommitmentEvent.objects.exclude(actor=None).values_list("actor", flat=True)) <= demo_users
    assert Commitment.objects.public().count() >= 9


def test_it_generates_commitments_in_every_state_with_their_search_grams() -> None:
    from commitments.models import Commitment, CommitmentStatus

    call_command("generate_scale", agencies=30, people=30, commitments=400, batch_size=100, stdout=io.StringIO())

    commitments = Commitment.objects.select_related("agency")
    assert commitments.count() == 400
    assert set(commitments.values_list("status", flat=True)) == set(CommitmentStatus.values)
    for commitment in commitments[:20]:
        assert set(commitment.search_grams.split()) >= set(commitment.agency.name)
    changed = commitments.filter(status="changed")
    assert not changed.filter(change_ground="").exists()
    assert commitments.filter(kind="town_service").exclude(service_area="").exists()
