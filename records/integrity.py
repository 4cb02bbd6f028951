"""What the records app contributes to a civil servant's integrity file (subjects/integrity.py): the 优秀 check
(docs/domain.md §2), and the dishonesty section of the file page. Registered in RecordsConfig.ready."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.models import AnyUser
from records.models import AppliedMeasure, DishonestyRecord, RecordResponsibility, ResponsibilityKind
from records.services.dishonesty import person_has_record_in_year
from subjects.integrity import excellent_rating_barred_years
from subjects.models import CivilServant


def no_excellent_with_a_dishonesty_record(person: CivilServant, year: int) -> str | Promise | None:
    if person_has_record_in_year(person, year):
        return gettext_lazy("A civil servant with a dishonesty record in that year cannot be rated Excellent.")
    return None


def integrity_file_records(user: AnyUser, person: CivilServant) -> dict[str, Any]:
    """The dishonesty side of a civil servant's file (docs/domain.md §2): the verified records naming the person — as
    the subject or as a responsible person (惩戒到人) — that the reader may see, the measures in force on the person,
    and the years the person cannot be rated 优秀. A fixed number of queries whatever the number of records."""
    kind = RecordResponsibility.objects.filter(record=OuterRef("pk"), person=person).values("kind")[:1]
    records = list(
        DishonestyRecord.objects.visible_to(user)
        .naming(person)
        .verified()
        .select_related("subject_agency")
        .annotate(responsibility_kind=Subquery(kind))
        .order_by("-decision_date", "-pk")
    )
    kinds = dict(ResponsibilityKind.choices)
    for record in records:
        record.as_subject = record.subject_person_id == person.pk
        record.responsibility_label = kinds.get(record.responsibility_kind, "")
    measures = (
        AppliedMeasure.objects.visible_to(user)
        .filter(target_person=person)
        .in_force()
        .select_related("measure_type", "record")
        .order_by("-starts_on", "-pk")
    )
    this_year = timezone.localdate().year
    barred = excellent_rating_barred_years(person)
    return {
        "person_records": records,
        "person_measures": list(measures),
        "barred_years": barred,
        "barred_this_year": barred.get(this_year),
        "this_year": this_year,
    }
