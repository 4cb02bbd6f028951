"""The whole API against its own OpenAPI schema (schemathesis): every operation, driven in-process through the WSGI
application with the test database, with inputs generated from the schema — valid ones and invalid ones.

Whatever it sends, the API must answer without a server error, with a status the operation documents, and with a
body and headers that match what the schema says of that status. A member of staff (the administrator: every
endpoint opens for it, and its scope is everything) makes the calls; the public endpoints ignore the credentials.

The examples are derandomized and the clock is fixed, so the run is the same on every machine and every day; their
number keeps the run to about a minute on the CI machine. schemathesis's own pytest integration (`@schema.parametrize`)
does not run under pytest 9 (it sets `Node._nodeid`), so each operation is a parameter here and Hypothesis draws its
cases from the operation's strategies.
"""

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode

from accounts.authentication import api_token_issue
from accounts.models import Role
from config.wsgi import application
from evaluation.defaults import default_set
from evaluation.models import Score
from evaluation.services.periods import period_create
from records.services import record_publish, record_submit
from repair.services import complaint_file, objection_file, repair_apply
from sectors.services.ppp import PppPaymentInput, ppp_payment_add
from sectors.services.procurement import contract_create
from sectors.services.streets import application_create
from subjects.models import AgencyKind
from supervision.models import HotlineTicket
from tests.conftest import City
from tests.factories import make_agency, make_record, make_user, published_commitment
from tests.sectors.debt_support import make_bond, make_repayment, make_year
from tests.sectors.investment_support import make_agreement
from tests.sectors.ppp_support import make_project
from tests.sectors.procurement_support import add_obligation, contract_input
from tests.sectors.streets_support import application_input, make_checklist
from tests.sectors.tendering_support import make_project as make_tender_project
from tests.sectors.tendering_support import make_scheme
from tests.sectors.tendering_support import record as tender_record
from tests.supervision.complaints_support import filed as breach_complaint_filed
from tests.supervision.inspections_support import make_item as make_rectification
from tests.supervision.inspections_support import make_task as make_ledger_task
from tests.supervision.suggestions_support import make_case, make_suggestion
from workcalendar.services import calendar_year_seed

EXAMPLES_PER_OPERATION = 20
# A fixed day inside a configured calendar year, so the deadlines of the steps are computed the same every run.
TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


def _schema() -> Any:
    # Generated as /api/v1/schema/ serves it, before any test runs: the operations become the tests' parameters.
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(generated, cls=DjangoJSONEncoder)))
    loaded.app = application  # called in-process, through the whole middleware stack
    return loaded


schema = _schema()


FILER = {"statement": "金额有误。", "filer_name": "王某", "filer_contact": "13800000000", "commitment_signed": True}


@pytest.fixture
def known_ids(
    world: City,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, int]]:
    """One row of each resource a path names, by the path's first segment: half the cases aim at it, so the steps
    and the details are driven past "not found". The filings give no e-mail address (it is optional)."""
    # Throttles stay on, but far from reach: a 429 is documented everywhere and would hide what the view does.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(("anon", "user", "token"), "100000/min"))
    settings.PUBLIC_TRACK_RATE = "100000/min"
    settings.REPAIR_FILING_LIMIT = settings.REPAIR_FILER_LIMIT = settings.REPAIR_ATTEMPT_LIMIT = 100000
    settings.ALLOWED_HOSTS = ["localhost"]
    # The WSGI handler closes the database connection after each request, which would end the test's transaction;
    # Django's own test client keeps it open the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    with time_machine.travel(TODAY, tick=True):
        calendar_year_seed(year=2026)
        record = record_publish(
            actor=world.office_a,
            record=record_submit(actor=world.reviewer_a, record=make_record(world.clerk_a, world.agency_a)),
        )
        objection, _code = objection_file(record=record, grounds="wrong", **FILER)
        complaint, _code = complaint_file(record=record, **FILER)
        proof = SimpleUploadedFile("缴款凭证.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
        repair, _code = repair_apply(record=record, attachments=[proof], **FILER)
        commitment = published_commitment(world)
        agreement = make_agreement(world)
        project = make_project(world.clerk_a, world.agency_a)
        payment = ppp_payment_add(
            actor=world.clerk_a,
            data=PppPaymentInput(
                project=project,
                year=2026,
                kind="availability",
                amount_due=Decimal("1200"),
                due_on=datetime.date(2026, 6, 30),
            ),
        )
        debt_year = make_year(world.office_a, world.district_a)
        debt_repayment = make_repayment(world.office_a, make_bond(world.office_a, world.district_a))
        contract = contract_create(actor=world.clerk_a, data=contract_input(world.agency_a))
        obligation = add_obligation(world.clerk_a, contract)
        street = make_agency("东城区东湖街道办事处", parent=world.district_a, kind=AgencyKind.SUBDISTRICT)
        make_checklist(make_user(Role.CREDIT_OFFICE, world.city, username="city-office"), 2026)
        creation = application_create(actor=world.office_a, data=application_input(street))
        make_scheme(world.office_a)
        behaviour = tender_record(world.clerk_a, world.agency_a)
        tender = make_tender_project(world.clerk_a, world.agency_a)
        suggestion = make_suggestion(world.clerk_a, world.agency_a, assigned_on=datetime.date(2026, 3, 2))
        court_case = make_case(world.clerk_a, world.agency_a)
        breach_complaint, _code = breach_complaint_filed(world.agency_a)
        ticket = HotlineTicket.objects.create(
            number="GD2026000001",
            type="complaint",
            unit=world.agency_a,
            received_on=datetime.date(2026, 3, 2),
            due_on=datetime.date(2026, 3, 9),
        )
        evaluation_set = default_set(2026)
        evaluation_period = period_create(actor=None, year=2026, half="year_end", indicator_set=evaluation_set)
        rectification = make_rectification(world)
        ledger_row = make_ledger_task(world).assignments.order_by("pk").first()
        yield {
            "supervision/suggestions": suggestion.pk,
            "supervision/court-cases": court_case.pk,
            "supervision/complaints": breach_complaint.pk,
            "supervision/hotline/tickets": ticket.pk,
            "evaluation/indicator-sets": evaluation_set.pk,
            "evaluation/scores": Score.objects.filter(period=evaluation_period).values_list("pk", flat=True)[0],
            "sectors/streets/applications": creation.pk,
            "sectors/tendering/behaviours": behaviour.pk,
            "sectors/tendering/projects": tender.pk,
            "sectors/ppp/projects": project.pk,
            "sectors/debt/years": debt_year.pk,
            "sectors/debt/repayments": debt_repayment.pk,
            "sectors/ppp/payments": payment.pk,
            "sectors/investment/agreements": agreement.pk,
            "sectors/investment/obligations": agreement.obligations.values_list("pk", flat=True)[0],
            "sectors/procurement/contracts": contract.pk,
            "sectors/procurement/obligations": obligation.pk,
            "sectors/procurement/ledger": world.district_a.pk,
            "agencies": world.agency_a.pk,
            "civil-servants": world.person_a.pk,
            "records": record.pk,
            "objections": objection.pk,
            "complaints": complaint.pk,
            "repairs": repair.pk,
            "measures": record.measures.values_list("pk", flat=True)[0],
            "commitments": commitment.pk,
            "supervision/rectifications": rectification.pk,
            "supervision/ledger/assignments": ledger_row.pk if ledger_row else 0,
        }
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


OPERATIONS = [result.ok() for result in schema.get_all_operations()]


def _cases(operation: Any, known_ids: dict[str, int]) -> Any:
    """Inputs the schema allows and inputs it forbids; for a path naming an object, half of them about a row that
    exists."""
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)
    if "{id}" not in operation.path:
        return cases
    resource = operation.path.removeprefix("/api/v1/").removeprefix("public/").split("/")[0]
    if resource == "sectors":  # /api/v1/sectors/<sector>/<resource>/…
        resource = "sectors/" + "/".join(operation.path.removeprefix("/api/v1/sectors/").split("/")[:2])
    if resource == "supervision":  # /api/v1/supervision/<resource…>/{id}/…
        resource = operation.path.split("/{id}")[0].removeprefix("/api/v1/")
    if resource == "evaluation":  # /api/v1/evaluation/<resource>/…
        resource = "evaluation/" + operation.path.removeprefix("/api/v1/evaluation/").split("/")[0]
    return cases | operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": known_ids[resource]})


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_as_its_schema_says(operation: Any, world: City, known_ids: dict[str, int]) -> None:
    @given(case=_cases(operation, known_ids))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        # A new token for every call: one of the operations revokes the token it is called with.
        _token, key = api_token_issue(user=world.admin)
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    call()  # on TODAY: known_ids keeps the clock there


def test_every_operation_of_the_schema_is_driven() -> None:
    assert len(OPERATIONS) >= 45
    assert {
        "GET /api/v1/agencies/",
        "POST /api/v1/public/objections/",
        "GET /api/v1/sync/changes/",
        "POST /api/v1/commitments/",
        "POST /api/v1/commitments/{id}/progress/",
        "POST /api/v1/commitments/{id}/decide/",
        "GET /api/v1/public/commitments/",
        "POST /api/v1/records/{id}/explain/",
    } <= {operation.label for operation in OPERATIONS}
