import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './temp-dir';

const tempDir = useTempDir();

const SUITE_WITH_BROKEN_SETUP = `
import { beforeAll, describe, expect, it } from 'vitest';
describe('a suite whose setup fails', () => {
  beforeAll(() => { throw new Error('the simulator did not start'); });
  it('never runs (1)', () => expect(1).toBe(1));
  it('never runs (2)', () => expect(1).toBe(1));
});
describe('a healthy suite', () => {
  it('passes', () => expect(1).toBe(1));
  it.skip('is skipped on purpose', () => expect(1).toBe(1));
});
`;

describe("the suite's closing line", () => {
  it('counts the tests of a suite whose beforeAll failed as failed, not skipped', () => {
    const project = tempDir();
    fs.mkdirSync(path.join(project, 'test'));
    fs.writeFileSync(path.join(project, 'test', 'broken-setup.test.ts'), SUITE_WITH_BROKEN_SETUP);
    // The same reporters as test/run-all.sh.
    spawnSync(
      path.resolve('node_modules/.bin/vitest'),
      ['run', '--root', project, '--reporter=json', '--outputFile.json=test-results/vitest.json', `--reporter=${path.resolve('test/support/setup-failure-reporter.mjs')}`],
      { cwd: project, encoding: 'utf8' },
    );
    const summary = spawnSync(process.execPath, [path.resolve('test/support/summarize-results.cjs')], { cwd: project, encoding: 'utf8', env: { ...process.env, CI: '' } });
    expect(summary.stdout.trim()).toBe('Tests: 1 passed, 2 failed, 1 skipped');
    expect(summary.status).toBe(1);
  });
});
