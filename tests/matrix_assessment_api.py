"""Permission matrix rows for assessment (api); see tests/matrix.py."""

ROWS: dict = {}
