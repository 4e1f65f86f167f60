"""Browser tests of the built site (headless Chromium through Selenium); see conftest.py."""
