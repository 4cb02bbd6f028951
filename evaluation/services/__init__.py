"""Every change of the evaluation's rows goes through these services."""
