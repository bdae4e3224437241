"""Browser end-to-end tests: the real app in Debian's Chromium (Playwright, sync API).

Run: `.venv/bin/python -m pytest -q tests/e2e` (part of `make test`). Screenshots, server logs and
failure shots go to test-artifacts/e2e/. Without /usr/bin/chromium (or `chromium` on PATH) the tests
are skipped with one line; E2E_CHROMIUM=<path> names another browser binary.
"""
