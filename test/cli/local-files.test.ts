import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { createCore } from '../../src-main/core/app/composition-root';
import { DATABASE_FILE } from '../../src-main/core/app/data-dir';
import { useTempDir } from '../support/temp-dir';
import { unusedSecretStore } from '../support/unused-secret-store';
import { ensureCliBuilt, TEC_BIN } from './built-cli';

/**
 * Issue 17, points 2, 4 and 5, through the real `tec` process: what it creates is private whatever the umask, an
 * export never follows a planted file, and an unusable path is a LOCAL_DATA error at once (a hang would be killed by
 * the spawn timeout and fail the test).
 */
const tempDir = useTempDir('tec-local-files-');

beforeAll(() => ensureCliBuilt(), 180_000);

/** Runs the built tec under a umask that would make every new file world-writable. */
function tecWithUmask(umask: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('sh', ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, TEC_BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    // A hang that ignores SIGTERM (Node 20's recursive mkdirSync on /proc) must still end the test.
    killSignal: 'SIGKILL',
    env: { ...process.env, TEC_DATA_DIR: '' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe.skipIf(process.platform === 'win32')('files the console creates are private (0700 folders, 0600 files)', () => {
  it('creates the data folder, the database and an export owner-only under umask 000', () => {
    const root = tempDir();
    const dataDir = path.join(root, 'new', 'data');
    const out = path.join(root, 'reports', 'q3', 'audit.csv');
    const run = tecWithUmask('000', ['export', 'audit', '--format', 'csv', '--out', out, '--data-dir', dataDir]);
    expect([run.status, run.stderr]).toEqual([EXIT.ok, expect.not.stringContaining('tec: ')]);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(root, 'new'))).toBe(0o700);
    expect(mode(path.join(dataDir, DATABASE_FILE))).toBe(0o600);
    expect(mode(path.join(root, 'reports', 'q3'))).toBe(0o700);
    expect(mode(out)).toBe(0o600);
  });

  it('keeps the WAL and shared-memory files, the exports folder and its files owner-only while the app runs', async () => {
    const previous = process.umask(0);
    try {
      const dataDir = path.join(tempDir(), 'data');
      const core = createCore({ dataDir, version: 'test', transport: 'web-test-rig', secrets: unusedSecretStore });
      try {
        core.services.audit.append({ actor: 'admin', action: 'settings.changed', details: {} });
        const file = path.join(dataDir, DATABASE_FILE);
        for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
        const started = core.services.exports.start({ kind: 'audit', format: 'json' });
        await new Promise<void>((resolve) => {
          const stop = core.events.subscribe((name, payload) => {
            if (name === 'export.progress' && (payload as { state: string }).state !== 'running') resolve(stop());
          });
        });
        expect(mode(path.dirname(started.file))).toBe(0o700);
        expect(mode(started.file)).toBe(0o600);
      } finally {
        await core.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('tightens an existing installation at start-up', async () => {
    const dataDir = path.join(tempDir(), 'Trusted Endpoints Console');
    const core = createCore({ dataDir, version: 'test', transport: 'web-test-rig', secrets: unusedSecretStore });
    await core.close();
    const file = path.join(dataDir, DATABASE_FILE);
    const exportsDir = path.join(dataDir, 'exports');
    fs.mkdirSync(exportsDir);
    fs.writeFileSync(path.join(exportsDir, 'devices-old.csv'), 'guid\r\n');
    fs.writeFileSync(`${file}-wal`, '');
    for (const [p, m] of [[dataDir, 0o755], [exportsDir, 0o777], [file, 0o644], [`${file}-wal`, 0o666], [path.join(exportsDir, 'devices-old.csv'), 0o644]] as const) {
      fs.chmodSync(p, m);
    }
    const run = tecWithUmask('022', ['integration', 'list', '--data-dir', dataDir]);
    expect(run.status).toBe(EXIT.ok);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(exportsDir)).toBe(0o700);
    expect(mode(path.join(exportsDir, 'devices-old.csv'))).toBe(0o600);
  });
});

describe('exports never follow a planted file', () => {
  it('leaves the target of a planted .partial link and of a planted output link untouched, and writes a regular file', () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const victim = path.join(root, 'victim.txt');
    const victim2 = path.join(root, 'victim2.txt');
    fs.writeFileSync(victim, 'precious');
    fs.writeFileSync(victim2, 'also precious');
    const out = path.join(root, 'out.csv');
    fs.symlinkSync(victim, `${out}.partial`);
    fs.symlinkSync(victim2, out);
    const run = tecWithUmask('022', ['export', 'audit', '--format', 'csv', '--out', out, '--data-dir', dataDir]);
    expect(run.status).toBe(EXIT.ok);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.readFileSync(victim2, 'utf8')).toBe('also precious');
    expect(fs.lstatSync(out).isFile()).toBe(true);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^\uFEFFseq,/);
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.partial') && f !== 'out.csv.partial')).toEqual([]);
  });
});

describe('an unusable path is a LOCAL_DATA error at once, never a hang', () => {
  it.each([
    ['an export into /proc', (dataDir: string) => ['export', 'audit', '--format', 'csv', '--out', '/proc/nonexistent/x.csv', '--data-dir', dataDir]],
    ['a data folder in /proc', () => ['--data-dir', '/proc/tec', 'integration', 'list']],
    ['a data folder that is a file', () => ['--data-dir', '/etc/passwd', 'integration', 'list']],
    ['a data folder below a file', () => ['--data-dir', '/etc/passwd/tec', 'integration', 'list']],
  ])('%s', (_what, args) => {
    const run = tecWithUmask('022', args(path.join(tempDir(), 'data')));
    expect(run.status).toBe(EXIT.localData);
    // The last line: a fresh data folder may first get a migration notice.
    expect(run.stderr).toMatch(/(^|\n)tec: LOCAL_DATA: The (data|export) folder \S+ cannot be used: .+\. Choose another location\.\n$/);
  });
});
