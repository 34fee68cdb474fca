"""Permission matrix rows for assessment (conduct); see tests/matrix.py."""

ROWS: dict = {}
