"""The kinds of business object that emit platform changes, and who sees their changes.

The app that owns a kind declares it once, from its AppConfig.ready: `kind_register("record", model=DishonestyRecord,
scope=…)`. `scope(user)` is a filter on PlatformChange: the changes of that kind the user may see on the operations
page, in the admin and in counts. A kind registered without one is seen by those whose scope reaches the agency the
change was written for (accounts.scope.agency_q). outbox_emit refuses a kind nobody registered, so every change has a
scope.

`public(payload)` says what anyone may read of a change's payload — the change feed (records/api/sync.py) shows it
to clients with public:read outside their scope — or None when the change says nothing the public may read; a kind
registered without it reaches them bare. Records decide theirs in the feed itself.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import models
from django.db.models import Q

from accounts.scope import NOTHING, agency_q

Scope = Callable[[Any], Q]
PublicView = Callable[[dict[str, Any]], dict[str, Any] | None]


def agency_scope(user: Any) -> Q:
    """The default scope: the changes written for an agency in the user's reach."""
    return agency_q(user, "agency")


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    scope: Scope
    public: PublicView | None = None


_kinds: dict[str, Kind] = {}


def kind_register(
    name: str, *, model: type[models.Model], scope: Scope = agency_scope, public: PublicView | None = None
) -> Kind:
    """Declares that objects of `model` emit changes of kind `name`, seen by `scope` (and by the public as
    `public` has them)."""
    known = _kinds.get(name)
    if known is not None and known.model is not model:
        raise ValueError(f"platform change kind {name!r} is already registered for {known.model.__name__}")
    kind = _kinds[name] = Kind(name=name, model=model, scope=scope, public=public)
    return kind


def kind_unregister(name: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(name, None)


def kind_names() -> list[str]:
    """Every registered kind, sorted."""
    return sorted(_kinds)


def kind_of(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"platform change kind {name!r} is not registered (outbox.kinds.kind_register)") from None


def changes_q(user: Any) -> Q:
    """The changes `user` may see, every kind by its own scope. A user who sees all of every kind is not filtered at
    all (one plain scan of the outbox's indexes for an administrator)."""
    scopes = [(name, kind.scope(user)) for name, kind in _kinds.items()]
    if not scopes:
        return NOTHING
    if all(not scope for _name, scope in scopes):
        return Q()
    return reduce(operator.or_, (Q(kind=name) & scope for name, scope in scopes))
