"""Supervision (docs/domain.md §8), one module per kind of supervision: each kind's models live in
`supervision/models/<kind>.py` and are exported here."""

__all__: list[str] = []
