"""Permission matrix rows for recruitment (scoring); see tests/matrix.py."""

ROWS: dict = {}
