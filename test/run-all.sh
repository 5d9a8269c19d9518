#!/usr/bin/env bash
# The whole suite, as `npm test` runs it: type-check, production build, security scan, browser end-to-end tests in
# Debian's Chromium, then unit and integration tests with real SQLite, a private keyring and a real SCEP server.
# The last line is the total: "Tests: N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/vitest.json test-results/vitest-setup-failures.json test-results/playwright.json

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*"; node test/support/summarize-results.cjs || true; exit 1; }

step "Prerequisites"
bash test/support/check-prerequisites.sh || fail "prerequisites"

step "Type-check (shared, main + CLI + tests, renderer, e2e)"
npm run -s typecheck || fail "type-check"

step "Lint (oxlint, type-aware: floating and misused promises, import cycles, layer imports, React hooks)"
npm run -s lint || fail "lint"

step "Production build (electron-vite: main, preload, renderer; tec CLI bundle)"
npx electron-vite build || fail "electron-vite build"
npm run -s build:cli || fail "CLI build"

step "Security scan (electronegativity)"
node test/security/run-electronegativity.cjs || fail "security scan"

step "End-to-end tests in Chromium through the web test rig"
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json \
  test/support/with-keyring.sh npx playwright test --reporter=list,json
e2e=$?

step "Unit and integration tests (vitest)"
test/support/with-keyring.sh npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json \
  --reporter=./test/support/setup-failure-reporter.mjs
unit=$?

node test/support/summarize-results.cjs
summary=$?
if [ $e2e -ne 0 ] || [ $unit -ne 0 ] || [ $summary -ne 0 ]; then exit 1; fi
