import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(__dirname, '..', '..');
// GitHub Actions workflows are loosely typed YAML; the test reads them as such.
type Workflow = Record<string, any>;
const text = readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8');
const workflow: Workflow = parse(text, { strict: true, uniqueKeys: true });
const runs = (job: Workflow) => job.steps.map((step: Workflow) => step.run).filter(Boolean).join('\n');

describe('release workflow', () => {
  it('is valid YAML that runs on v* tags', () => {
    expect(workflow.on.push.tags).toEqual(['v*']);
  });

  it('packages on macOS, Windows and Linux runners with Node 22', () => {
    const matrix: Workflow[] = workflow.jobs.package.strategy.matrix.include;
    expect(matrix.map((entry) => entry.os)).toEqual([expect.stringMatching(/^ubuntu-/), expect.stringMatching(/^macos-/), expect.stringMatching(/^windows-/)]);
    expect(workflow.jobs.package['runs-on']).toBe('${{ matrix.os }}');
    const setupNode = workflow.jobs.package.steps.find((step: Workflow) => String(step.uses).startsWith('actions/setup-node'));
    expect(setupNode.with['node-version']).toBe(22);
  });

  it('installs from the lockfile, type-checks, runs unit tests and packages with the repository\'s script on every OS', () => {
    const script = runs(workflow.jobs.package);
    expect(script).toMatch(/^npm ci$/m);
    expect(script).toContain('npx tsc --noEmit -p tsconfig.node.json');
    expect(script).toContain('npx vitest run ${{ matrix.unit }}');
    expect(script).toMatch(/^npm run package$/m);
    expect(script).toContain('node resources/packaging/find-signing-secrets.mjs');
    for (const entry of workflow.jobs.package.strategy.matrix.include) expect(entry.unit).toMatch(/test\/packaging/);
  });

  it('runs the full suite through .ci/run on Linux', () => {
    expect(runs(workflow.jobs['test-linux'])).toBe('bash .ci/run');
    expect(workflow.jobs['test-linux']['runs-on']).toMatch(/^ubuntu-/);
  });

  it('attaches the installers to the release only after the tests and every package succeeded', () => {
    const release = workflow.jobs.release;
    expect(release.needs).toEqual(['test-linux', 'package']);
    expect(release.if).toContain("startsWith(github.ref, 'refs/tags/v')");
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(runs(release)).toMatch(/gh release (create|upload) "\$TAG" installers\/\*/);
    const kept = workflow.jobs.package.steps.find((step: Workflow) => String(step.uses).startsWith('actions/upload-artifact'));
    for (const extension of ['dmg', 'exe', 'AppImage', 'deb']) expect(kept.with.path).toContain(`dist/*.${extension}`);
  });

  it('gives signing credentials to the package step from secrets only, each certificate on its own OS', () => {
    const packageStep = workflow.jobs.package.steps.find((step: Workflow) => step.run === 'npm run package');
    for (const [name, value] of Object.entries(packageStep.env as Record<string, string>)) {
      expect(value, name).toMatch(/^\$\{\{ matrix\.name == '(macos|windows)' && secrets\.[A-Z_0-9]+ \|\| '' \}\}$/);
    }
    expect(packageStep.env.CSC_LINK).toContain("matrix.name == 'macos'");
    expect(packageStep.env.WIN_CSC_LINK).toContain("matrix.name == 'windows'");
  });

  it('keeps the default token read-only except where the release is written', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });
});
