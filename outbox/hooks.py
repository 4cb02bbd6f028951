"""What the floors above the outbox do after a commit, registered by them rather than imported from here.

Delivery starts sending once a change is queued, and the public site's kept pages go stale when anything they show
changes. Both live above the outbox and the apps that write; so they register a receiver here, from their
AppConfig.ready, and the writers announce within their transactions:

- `change_queued`: announced by outbox.services.outbox_emit for every change queued (delivery starts; the public
  site's pages go stale, since the platform's changes are what the public site shows);
- `public_changed`: announced by writes that alter a public page without a platform change (an agency added,
  renamed, merged, moved or switched off).

A receiver runs after the announcing transaction commits — once, however many times it was announced in it, unless
it asked to run after each announcement; never if it rolls back; at once outside a transaction. It runs robustly: its
failure is logged and does not stop the others.
"""

from collections.abc import Callable

from django.db import transaction

Receiver = Callable[[], None]


def on_commit_once(receiver: Receiver) -> None:
    """`transaction.on_commit(receiver)` unless the current transaction already holds it."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is receiver for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(receiver, robust=True)


class AfterCommit:
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: dict[Receiver, bool] = {}  # receiver → once per transaction

    def __repr__(self) -> str:
        return f"<AfterCommit {self.name}: {len(self._receivers)} receivers>"

    @property
    def receivers(self) -> list[Receiver]:
        return list(self._receivers)

    def register(self, receiver: Receiver, *, once_per_transaction: bool = True) -> None:
        """From an AppConfig.ready; registering the same receiver again only updates how often it runs.
        `once_per_transaction=False` schedules it at every announcement instead, for a receiver whose extra runs cost
        next to nothing (the public site's renewal: one cache write)."""
        self._receivers[receiver] = once_per_transaction

    def unregister(self, receiver: Receiver) -> None:
        self._receivers.pop(receiver, None)

    def announce(self) -> None:
        """Call inside the transaction of the change: every receiver runs after it commits."""
        for receiver, once in self._receivers.items():
            if once:
                on_commit_once(receiver)
            else:
                transaction.on_commit(receiver, robust=True)


change_queued = AfterCommit("change queued")
public_changed = AfterCommit("public content changed")
