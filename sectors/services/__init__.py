"""Writes of the sector duties, one module per sector (`sectors/services/<sector>.py`)."""
