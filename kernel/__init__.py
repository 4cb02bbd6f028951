"""The lowest floor: what every app may use and that imports nothing of theirs (only Django and the standard
library)."""
