"""Permission matrix rows for assessment (pages); see tests/matrix.py."""

ROWS: dict = {}
