import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { createCore } from '../../src-main/core/app/composition-root';
import { seedDevices } from '../support/seed-devices';
import { unusedSecretStore } from '../support/unused-secret-store';
import { ensureCliBuilt, TEC_BIN } from './built-cli';

/**
 * Issue 17 point 3: the built `tec` on a real pseudo-terminal (util-linux `script`) shows control characters and bidi
 * overrides from the tenant and from its own arguments escaped; --json on a terminal is still exact JSON; a pipe gets
 * the bytes as they are.
 */
const NAMES = ['\x1b[2J\x1b[H', 'report\u202Efdp.exe', '\x1b]0;pwned\x07 \x9b31m\x7f'];
const SHOWN = ['\\x1B[2J\\x1B[H', 'report\\u202Efdp.exe', '\\x1B]0;pwned\\x07 \\x9B31m\\x7F'];
// Anything a terminal would act on, bar the line ends the terminal itself adds (CR LF).
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\x00-\x08\x0B-\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/;

let dataDir: string;

beforeAll(async () => {
  ensureCliBuilt();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-terminal-'));
  const core = createCore({ dataDir, version: 'test', transport: 'web-test-rig', secrets: unusedSecretStore });
  seedDevices(core.services.db, { count: 3, seed: 'terminal', integration: { name: 'Fleet' } });
  const ids = core.services.db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  ids.forEach((id, k) => core.services.db.prepare('UPDATE devices SET device_name = ? WHERE id = ?').run(NAMES[k], id));
  await core.close();
}, 180_000);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Runs tec on a pseudo-terminal; stdout and stderr both arrive on it. */
function onTerminal(args: string, env: Record<string, string> = {}): { status: number | null; output: string } {
  const run = spawnSync('script', ['-qec', `"${process.execPath}" "${TEC_BIN}" ${args}`, '/dev/null'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env, TEC_DATA_DIR: dataDir },
  });
  return { status: run.status, output: run.stdout.replace(/\r\n/g, '\n') };
}

describe('tec on a terminal', () => {
  it('shows tenant values with control characters and bidi overrides escaped', () => {
    const { status, output } = onTerminal('devices search --limit 10');
    expect(status).toBe(EXIT.ok);
    expect(output).not.toMatch(ACTIVE);
    for (const shown of SHOWN) expect(output).toContain(shown);
  });

  it('escapes its own echoed arguments in errors', () => {
    const { status, output } = onTerminal('devices find "$EVIL"', { EVIL: '\x1b]0;owned\x07\u202Egnp.exe' });
    expect(status).toBe(EXIT.notFound);
    expect(output).not.toMatch(ACTIVE);
    expect(output).toContain('\\x1B]0;owned\\x07\\u202Egnp.exe');
  });

  it('keeps --json exact JSON with the same values', () => {
    const { status, output } = onTerminal('devices search --limit 10 --json');
    expect(status).toBe(EXIT.ok);
    expect(output).not.toMatch(ACTIVE);
    const names = (JSON.parse(output) as { rows: { deviceName: string }[] }).rows.map((r) => r.deviceName);
    expect(names.sort()).toEqual([...NAMES].sort());
  });

  it('passes the bytes unchanged to a pipe', () => {
    const run = spawnSync(process.execPath, [TEC_BIN, 'devices', 'search', '--limit', '10', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(run.status).toBe(EXIT.ok);
    for (const name of NAMES) expect(run.stdout).toContain(name);
  });
});
