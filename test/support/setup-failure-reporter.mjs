// A vitest reporter that lists the tests which never ran because a beforeAll (or the file itself) failed. vitest's
// JSON report marks them "skipped", indistinguishable from it.skip; summarize-results.cjs reads this list and
// counts them as failed. Writes test-results/vitest-setup-failures.json.
import fs from 'node:fs';
import path from 'node:path';

export const SETUP_FAILURES_FILE = 'test-results/vitest-setup-failures.json';

export default class SetupFailureReporter {
  onTestRunEnd(testModules) {
    const notRun = [];
    for (const testModule of testModules) {
      const failedScopes = [testModule, ...testModule.children.allSuites()].filter((scope) => scope.errors().length > 0);
      const seen = new Set();
      for (const scope of failedScopes) {
        for (const test of scope.children.allTests('skipped')) {
          if (seen.has(test.id)) continue;
          seen.add(test.id);
          notRun.push(`${testModule.moduleId} > ${test.fullName}`);
        }
      }
    }
    fs.mkdirSync(path.dirname(SETUP_FAILURES_FILE), { recursive: true });
    fs.writeFileSync(SETUP_FAILURES_FILE, JSON.stringify({ notRun }, null, 2));
  }
}
