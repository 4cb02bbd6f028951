"""Sections other apps add to the staff page of an agency.

The agency page belongs to subjects, but what an agency promised and what warns about it come from above (the
commitments app). An upper app registers a section when it loads (its AppConfig.ready): a template and a function
that gives its context for a user and an agency, or None when the section has nothing to show that user.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accounts.models import AnyUser

if TYPE_CHECKING:
    from subjects.models import Agency


@dataclass(frozen=True)
class AgencySection:
    template: str
    context: Callable[[AnyUser, "Agency"], dict[str, Any] | None]


AGENCY_SECTIONS: list[AgencySection] = []


def register_agency_section(section: AgencySection) -> AgencySection:
    if section not in AGENCY_SECTIONS:
        AGENCY_SECTIONS.append(section)
    return section


def agency_sections(user: AnyUser, agency: "Agency") -> list[tuple[str, dict[str, Any]]]:
    """The template and context of every registered section that has something to show `user` about `agency`."""
    shown = []
    for section in AGENCY_SECTIONS:
        context = section.context(user, agency)
        if context is not None:
            shown.append((section.template, context))
    return shown
