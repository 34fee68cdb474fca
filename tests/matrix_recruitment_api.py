"""Permission matrix rows for recruitment (api); see tests/matrix.py."""

ROWS: dict = {}
