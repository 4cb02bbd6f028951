"""Rules on the civil-servant integrity file (诚信档案) that other parts of the product switch on.

003 §四(六) and 004 §二(二)4: a civil servant with a dishonesty record cannot be rated 优秀 for that year. The records
app registers the check that knows about dishonesty records; `assessment_record` asks every registered check.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from records.models import CivilServant

# A check returns the reason the person cannot be rated 优秀 in that year, or None.
ExcellentRatingCheck = Callable[["CivilServant", int], "str | Promise | None"]

EXCELLENT_RATING_CHECKS: list[ExcellentRatingCheck] = []


def register_excellent_rating_check(check: ExcellentRatingCheck) -> ExcellentRatingCheck:
    if check not in EXCELLENT_RATING_CHECKS:
        EXCELLENT_RATING_CHECKS.append(check)
    return check


def excellent_rating_blockers(person: "CivilServant", year: int) -> list["str | Promise"]:
    return [reason for check in EXCELLENT_RATING_CHECKS if (reason := check(person, year)) is not None]


def excellent_rating_barred_years(person: "CivilServant") -> dict[int, list["str | Promise"]]:
    """The years in which `person` cannot be rated 优秀, newest first, with why: what an inspector checks before a
    promotion or an honour (the years with a verified record are the ones the registered checks look at)."""
    from records.services.dishonesty import person_record_years

    barred = {year: excellent_rating_blockers(person, year) for year in person_record_years(person)}
    return {year: reasons for year, reasons in barred.items() if reasons}


def _no_excellent_with_a_dishonesty_record(person: "CivilServant", year: int) -> "str | Promise | None":
    from django.utils.translation import gettext_lazy

    from records.services.dishonesty import person_has_record_in_year

    if person_has_record_in_year(person, year):
        return gettext_lazy("A civil servant with a dishonesty record in that year cannot be rated Excellent.")
    return None


# 003 §四(六), 004 §二(二)4: switched on by the records capability.
register_excellent_rating_check(_no_excellent_with_a_dishonesty_record)
