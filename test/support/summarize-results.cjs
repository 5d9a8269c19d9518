#!/usr/bin/env node
'use strict';
// Adds up vitest's and Playwright's JSON reports into one closing line: "Tests: N passed, N failed, N skipped".
// Under CI a skipped test counts against the run: every real component must be there.
const fs = require('node:fs');

let passed = 0;
let failed = 0;
let skipped = 0;
const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);

const vitest = read('test-results/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests + (vitest.testResults || []).filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
  // Tests whose beforeAll (or file) failed never ran: the JSON report calls them skipped; they failed.
  const notRun = read('test-results/vitest-setup-failures.json')?.notRun ?? [];
  failed += notRun.length;
  skipped -= notRun.length;
}

const playwright = read('test-results/playwright.json');
if (playwright) {
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
  skipped += playwright.stats.skipped;
}

console.log('');
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
const ci = process.env.CI === 'true';
process.exit(failed > 0 || (ci && skipped > 0) || (!vitest && !playwright) ? 1 : 0);
