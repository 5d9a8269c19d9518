import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { requirePrivateKeyring } from '../support/keyring';
import { useCloseAfterEach } from '../support/close-after-each';
import { useTempDir } from '../support/temp-dir';
import { until } from '../support/until';
import { ensureCliBuilt, TEC_BIN } from './built-cli';
import { runTec } from './cli-harness';
import { runningRunPages } from './run-pages';

const tempDir = useTempDir('tec-sigkill-');
const closeAfterEach = useCloseAfterEach();
const KILLS = 22;
const EMAIL = 'api-kill@acmecorp.example';
const PASSWORD = 'Kill-Test-Pa55';

let tenant: RunningSimulator;

beforeAll(async () => {
  requirePrivateKeyring();
  ensureCliBuilt();
  // Every answer a little slow, so a run lasts long enough to be killed in the middle of it; 5xx and dropped
  // connections too, so kills also land during retries.
  tenant = await startSimulator({
    devices: 6_000,
    seed: 'sigkill',
    credentials: { email: EMAIL, password: PASSWORD },
    slowMs: 25,
    faults: { slow: 1, '5xx': 0.03, drop: 0.03 },
  });
});

afterAll(async () => {
  await tenant?.close();
});

/** A seeded stream of "random" numbers, so a failing moment can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

describe('tec sync killed with SIGKILL at random moments', () => {
  it(`leaves a database that opens clean after each of ${KILLS} kills, and the next run converges to the exact device set`, { timeout: 300_000 }, async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'console.sqlite');
    const added = await runTec(['integration', 'add', '--name', 'Killed', '--platform', 'android', '--domain', tenant.domain, '--email', EMAIL, '--password-stdin', '--data-dir', dataDir], {
      stdin: PASSWORD,
    });
    expect(added.code).toBe(EXIT.ok);
    const next = random(20261128);
    let killedMidRun = 0;

    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawn(process.execPath, [TEC_BIN, 'sync', 'Killed', '--data-dir', dataDir], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // Most kills wait for a random number of committed pages (inside a run, often mid-transaction); every fourth
      // kill comes after a random delay instead, which also hits start-up, listing spaces and finalizing.
      if (kill % 4 === 3) {
        await new Promise((r) => setTimeout(r, 50 + Math.floor(next() * 1_500)));
      } else {
        const target = 1 + Math.floor(next() * 24);
        await until(`tec sync commits ${target} pages of its run, or exits (kill ${kill})`, () => (runningRunPages(file) ?? -1) >= target || child.exitCode !== null, {
          everyMs: 5,
        });
      }
      const wasRunning = child.exitCode === null;
      child.kill('SIGKILL');
      await exited;
      if (wasRunning && runningRunPages(file) !== null) killedMidRun++;

      // The database opens clean: header, schema and every page intact, nothing half-written.
      // Closed here before tec runs again, and after the test should an assertion stop it first.
      const db = closeAfterEach(openDatabase({ file, migrations }).db);
      expect((db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check, `after kill ${kill}`).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) - COUNT(DISTINCT guid) FROM devices').pluck().get()).toBe(0);
      expect(db.prepare("SELECT COUNT(*) FROM device_changes WHERE kind = 'removed' AND run_id IN (SELECT id FROM sync_runs WHERE complete = 0)").pluck().get()).toBe(0);
      db.close();

      // The next run picks up what the killed one left and ends with exactly the tenant's devices.
      const resumed = await runTec(['sync', 'Killed', '--json', '--data-dir', dataDir]);
      expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
      const check = closeAfterEach(openDatabase({ file, migrations }).db);
      const active = check.prepare('SELECT guid FROM devices WHERE removed_at IS NULL ORDER BY guid').pluck().all() as string[];
      check.close();
      expect(active, `after kill ${kill}`).toEqual([...tenant.expectedGuids()].sort());

      // Give the next run something to do: devices enrolled, removed and changed.
      tenant.mutate({ add: 15, remove: 15, update: 40 });
    }
    expect(killedMidRun).toBeGreaterThanOrEqual(KILLS / 2);
  });
});
