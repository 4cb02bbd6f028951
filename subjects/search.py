"""Chinese substring search that an index can serve, for one- and two-character queries too.

pg_trgm gives no trigram for a one- or two-character pattern, and `LIKE '%张伟%'` over a million rows took 3.5 s here.
Each searchable row stores the distinct 1- and 2-character substrings of its text in a `GramsField`;
PostgreSQL indexes `string_to_array(grams, ' ')` with GIN, and `grams__has_all=[…]` becomes an array containment
(`@>`) the index answers. A longer query asks for all of its bigrams and is then re-checked with a plain contains.
SQLite (the embedded default) evaluates the same lookup without an index.

A query of several words ("东城 财政") matches a row only if every word does: `query_words` splits it.
"""

import itertools
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.sql.compiler import SQLCompiler

MAX_QUERY_LENGTH = 50
# More words than this narrow nothing a reader can use, and each one is another condition of the search.
MAX_WORDS = 5


def grams_of(text: str) -> str:
    """The distinct 1- and 2-character substrings of `text` (letters and digits upper-cased), space-separated."""
    chars = [c.upper() for c in text if not c.isspace()]
    grams = set(chars) | {a + b for a, b in itertools.pairwise(chars)}
    return " ".join(sorted(grams))


def query_grams(query: str) -> list[str]:
    """The grams a row must contain to match `query` (empty when the query has no searchable character)."""
    chars = [c.upper() for c in query[:MAX_QUERY_LENGTH] if not c.isspace()]
    if len(chars) <= 1:
        return chars
    return sorted({a + b for a, b in itertools.pairwise(chars)})


def query_words(query: str) -> list[str]:
    """The distinct words of `query`, split at white space (the ideographic space too), in order: at most
    MAX_WORDS, each cut to MAX_QUERY_LENGTH characters."""
    words: list[str] = []
    for word in query.split():
        word = word[:MAX_QUERY_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


class GramsField(models.TextField):
    """Space-separated grams from `grams_of`; filter with `field__has_all=query_grams(q)`."""


@GramsField.register_lookup
class HasAllGrams(Lookup):
    lookup_name = "has_all"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        return "%s", [list(value)]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"string_to_array({lhs}, ' ') @> %s::text[]", [*lhs_params, list(self.rhs)]

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        grams = list(self.rhs)
        if not grams:
            return "1 = 1", []
        clauses = " AND ".join(f"instr(' ' || {lhs} || ' ', %s) > 0" for _ in grams)
        params: list[Any] = []
        for gram in grams:
            params.extend([*lhs_params, f" {gram} "])
        return f"({clauses})", params
