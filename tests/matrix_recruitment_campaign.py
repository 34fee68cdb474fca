"""Permission matrix rows for recruitment (campaign); see tests/matrix.py."""

ROWS: dict = {}
