"""What other parts of the product contribute to a civil servant's integrity file (诚信档案).

The file belongs to subjects, but what is in it comes from above: the records app knows the person's dishonesty
records and measures. Upper apps register here when they load (their AppConfig.ready), so this floor imports none
of them:
- an *excellent-rating check* (docs/domain.md §2): a civil servant with a dishonesty record cannot be
  rated 优秀 for that year; `assessment_record` asks every registered check;
- the *years worth checking* for the file page's "no 优秀 in these years" panel;
- a *file section*: the context a file page shows (records naming the person, the measures in force on the person).
"""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from accounts.models import AnyUser

if TYPE_CHECKING:
    from subjects.models import CivilServant

# A check returns the reason the person cannot be rated 优秀 in that year, or None.
ExcellentRatingCheck = Callable[["CivilServant", int], "str | Promise | None"]
CandidateYears = Callable[["CivilServant"], Iterable[int]]
FileSection = Callable[[Any, "CivilServant"], dict[str, Any]]

EXCELLENT_RATING_CHECKS: list[ExcellentRatingCheck] = []
CANDIDATE_YEARS: list[CandidateYears] = []
FILE_SECTIONS: list[FileSection] = []


def register_excellent_rating_check(check: ExcellentRatingCheck) -> ExcellentRatingCheck:
    if check not in EXCELLENT_RATING_CHECKS:
        EXCELLENT_RATING_CHECKS.append(check)
    return check


def register_candidate_years(source: CandidateYears) -> CandidateYears:
    if source not in CANDIDATE_YEARS:
        CANDIDATE_YEARS.append(source)
    return source


def register_file_section(section: FileSection) -> FileSection:
    if section not in FILE_SECTIONS:
        FILE_SECTIONS.append(section)
    return section


def excellent_rating_blockers(person: "CivilServant", year: int) -> list["str | Promise"]:
    return [reason for check in EXCELLENT_RATING_CHECKS if (reason := check(person, year)) is not None]


def excellent_rating_barred_years(person: "CivilServant") -> dict[int, list["str | Promise"]]:
    """The years in which `person` cannot be rated 优秀, newest first, with why: what an inspector checks before a
    promotion or an honour."""
    years = sorted({year for source in CANDIDATE_YEARS for year in source(person)}, reverse=True)
    barred = {year: excellent_rating_blockers(person, year) for year in years}
    return {year: reasons for year, reasons in barred.items() if reasons}


def integrity_file_sections(user: AnyUser, person: "CivilServant") -> dict[str, Any]:
    """The context every registered section adds to the file page of `person` as `user` may see it."""
    context: dict[str, Any] = {}
    for section in FILE_SECTIONS:
        context.update(section(user, person))
    return context
