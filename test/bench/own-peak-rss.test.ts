/**
 * A benchmark child's peak RSS is its own (own-peak-rss.ts): bench:export's exports and bench:sync's fetch-and-parse
 * baseline run in child processes so that their figure leaves out what the bench process grew, and Linux's maxrss
 * carries the parent's resident set at the fork across exec.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir';

const tempDir = useTempDir('tec-own-rss-');

describe('ownPeakRssMb', () => {
  it("gives a child process's own peak, not the resident set its parent had when it forked it", () => {
    const child = path.join(tempDir(), 'child.ts');
    fs.writeFileSync(
      child,
      `import { ownPeakRssMb } from ${JSON.stringify(path.resolve(__dirname, 'own-peak-rss.ts'))};\n` +
        'process.stdout.write(JSON.stringify({ own: ownPeakRssMb(), maxRss: Math.round(process.resourceUsage().maxRSS / 1024) }));\n',
    );
    // 400 MB this process holds resident (written, so the pages are there) while it starts the child.
    const held = Buffer.alloc(400 * 1024 * 1024, 1);
    const parentRssMb = process.memoryUsage().rss / (1024 * 1024);
    const run = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8' });
    expect(held[held.length - 1]).toBe(1);
    expect(run.status, run.stderr).toBe(0);
    const { own, maxRss } = JSON.parse(run.stdout) as { own: number; maxRss: number };

    // What the kernel's maxrss says of the child: at least the parent's resident set (the fault this guards against).
    expect(parentRssMb).toBeGreaterThan(400);
    expect(maxRss).toBeGreaterThan(400);
    // A node process that loads tsx and one module: well under what its parent held.
    expect(own).toBeGreaterThan(10);
    expect(own).toBeLessThan(200);
  });
});
