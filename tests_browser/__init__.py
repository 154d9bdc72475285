"""Browser tests: the real production-style server driven by Debian's Chromium through Playwright.

Run with `make browser-test` (or `.venv/bin/python -m tests_browser.run` from the repository root). They are
not part of `make test`: they need Chromium and take a few tens of seconds. See docs/ci.md.
"""
