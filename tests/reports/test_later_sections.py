"""The report's sections from the apps that came after it: the latest frozen grade (never a live score) and the
results of supervision — the public version shows what the public site shows, the full version adds court cases and
the counts of complaints, rectifications and ledger tasks. Frozen grades are open data too."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from accounts.models import Role
from evaluation.defaults import default_set
from evaluation.models import Half
from evaluation.services.periods import period_create, period_freeze
from reports.later_sections import grade_rows
from reports.models import ReportVersion
from reports.rendering import render_html
from reports.services import report_issue
from tests.conftest import City
from tests.factories import make_user
from tests.public_support import fixed_today
from tests.supervision.suggestions_support import judged_case, replied

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(db: None) -> Iterator[time_machine.Traveller]:
    yield from fixed_today()


def html(world: City, version: str) -> str:
    actor = None if version == ReportVersion.PUBLIC else world.office_a
    report = report_issue(version=version, actor=actor, agency=world.agency_a, purpose="年度审查")  # type: ignore[arg-type]
    return render_html(report, site_url="http://testserver/")


def test_the_grade_is_the_frozen_one_and_the_public_version_hides_the_score(world: City) -> None:
    assert "尚无已冻结的评价期" in html(world, ReportVersion.PUBLIC)
    period = period_create(actor=None, year=2026, half=Half.MID_YEAR, indicator_set=default_set(2026))
    public_before = html(world, ReportVersion.PUBLIC)
    assert 'id="report-grade"' not in public_before  # open period: live scores are not part of a report
    period_freeze(actor=make_user(Role.CREDIT_OFFICE, world.city, username="city-office"), period=period)
    public = html(world, ReportVersion.PUBLIC)
    full = html(world, ReportVersion.FULL)
    assert 'id="report-grade"' in public and str(period) in public
    assert "得分" not in public.split('id="report-grade"')[1].split("</table>")[0]
    assert "得分" in full.split('id="report-grade"')[1].split("</table>")[0]
    rows = list(grade_rows())
    assert {row["unit_name"] for row in rows} >= {world.agency_a.name}


def test_supervision_results_public_and_full(world: City) -> None:
    suggestion = replied(world.clerk_a, world.agency_a, reply_class="A")
    case = judged_case(world.clerk_a, world.agency_a, due=datetime.date(2026, 10, 1))
    public = html(world, ReportVersion.PUBLIC)
    full = html(world, ReportVersion.FULL)
    assert suggestion.title in public and suggestion.title in full
    assert case.case_number not in public  # court cases are not on the public site
    assert case.case_number in full and "未履行" in full
