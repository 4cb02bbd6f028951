"""The sections of a credit report: a registry, so apps that arrive later add theirs (the latest frozen grade,
supervision results) from their AppConfig.ready() without this app importing them.

A section builds plain JSON-able data for one report from a `ReportContext` (the subject, the version, the day) or
answers None to be left out; its template (under templates/) renders that data, in the printable page and the PDF
alike. The data is what the issued report's snapshot stores and its SHA-256 covers: a section must put in it
everything its template shows, and for the public version only what the disclosure site shows.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from subjects.models import Agency, CivilServant

PUBLIC = "public"
FULL = "full"
REVIEW = "review"
UNIT_VERSIONS = frozenset({PUBLIC, FULL})


@dataclass
class ReportContext:
    """What a section is built for: an agency (the unit report, public or full) or a civil servant (the review)."""

    version: str
    on: datetime.date
    at: datetime.datetime
    agency: "Agency | None" = None
    person: "CivilServant | None" = None
    # Shared between sections of one report (the summary counts what the records section lists).
    memo: dict[str, Any] = field(default_factory=dict)

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    @property
    def is_public(self) -> bool:
        return self.version == PUBLIC


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: "StrOrPromise"
    template: str
    versions: frozenset[str]
    build: Callable[[ReportContext], dict[str, Any] | None]
    # Where it stands in the report: lower first. The built-in sections use 10…90 in steps of ten.
    order: int = 100


REPORT_SECTIONS: dict[str, ReportSection] = {}


def register_report_section(section: ReportSection) -> ReportSection:
    """Adds (or, by key, replaces) a section; call from AppConfig.ready()."""
    REPORT_SECTIONS[section.key] = section
    _sections_for.cache_clear()
    return section


@functools.cache
def _sections_for(version: str) -> tuple[ReportSection, ...]:
    chosen = [s for s in REPORT_SECTIONS.values() if version in s.versions]
    return tuple(sorted(chosen, key=lambda s: (s.order, s.key)))


def report_sections(version: str) -> tuple[ReportSection, ...]:
    return _sections_for(version)
