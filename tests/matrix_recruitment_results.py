"""Permission matrix rows for recruitment (results); see tests/matrix.py."""

ROWS: dict = {}
