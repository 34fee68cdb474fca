"""Playwright browser fixture (see tests/test_browser_journeys.py)."""
