#!/usr/bin/env bash
# Runs the whole suite: unit, page (AppTest) and browser (Playwright + Chromium)
# tests, each database test on SQLite and on PostgreSQL.
#  - PostgreSQL: PORTAL_TEST_POSTGRES_URL, default postgresql://academy:academy@127.0.0.1:5432/postgres
#  - Chromium:   /usr/bin/chromium (Debian package 'chromium'), or PORTAL_CHROMIUM
# Without them the tests that need them are skipped, and listed as skipped at
# the end. With CI=true a missing service fails the run instead.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -q "$@"
status=$?
if [ "$status" -eq 5 ]; then echo "no tests ran"; exit 1; fi
exit "$status"
