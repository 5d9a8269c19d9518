import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../src-main/cli/version';
import { useTempDir } from '../support/temp-dir';
import { runTec } from './cli-harness';

describe('tec help', () => {
  const dataDir = useTempDir('tec-help-');

  it.each([
    [['integration', '--help'], 'tec integration add', 'tec integration list'],
    [['integration', '-h'], 'tec integration add', 'tec integration test'],
    [['help', 'integration'], 'tec integration add', 'tec integration list'],
    [['sync', '--help'], 'tec sync NAME', 'Sync an integration'],
    [['help', 'devices'], 'tec devices find IDENTIFIER', 'tec devices search TEXT'],
    [['audit', '--help'], 'tec audit verify', 'tec audit list'],
    [['export', '--help'], 'tec export devices', 'tec export audit'],
    [['verify', '--help'], 'tec verify --user USERNAME', 'Would this user be trusted'],
    [['certificates', '--help'], 'tec certificates list', 'Certificate inventory'],
    [['scep', '--help'], 'tec scep enroll', 'The NDES password comes from TEC_NDES_PASSWORD'],
  ])('tec %j prints that command\'s own help and exits 0', async (args, first, second) => {
    const result = await runTec(['--data-dir', dataDir(), ...args]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(first);
    expect(result.stdout).toContain(second);
    expect(result.stdout).not.toContain('Commands:');
  });

  it('prints only the subcommand asked about', async () => {
    for (const args of [['integration', 'add', '--help'], ['help', 'integration', 'add']]) {
      const result = await runTec(['--data-dir', dataDir(), ...args]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('tec integration add --name NAME');
      expect(result.stdout).not.toContain('tec integration list');
      expect(result.stdout).toMatch(/^tec integration: Ivanti integrations/);
    }
    const enroll = await runTec(['--data-dir', dataDir(), 'scep', 'enroll', '--help']);
    expect(enroll.stdout).toContain('--challenge-url URL --ndes-user');
    expect(enroll.stdout).not.toContain('tec scep caps');
  });

  it('answers --help before checking the other options (a required option missing is not an error)', async () => {
    const result = await runTec(['--data-dir', dataDir(), 'integration', 'add', '--name', 'x', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('tec integration add');
  });

  it('keeps --help after -- as an operand', async () => {
    const result = await runTec(['--data-dir', dataDir(), 'devices', 'find', '--', '--help']);
    expect(result.stdout).not.toContain('Usage:');
    expect(result.code).toBe(3);
  });

  it('still lists every command for tec help and tec --help', async () => {
    for (const args of [['help'], ['--help']]) {
      const result = await runTec(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Commands:');
      expect(result.stdout).toContain('tec help COMMAND');
    }
  });
});

describe('tec argument errors', () => {
  const dataDir = useTempDir('tec-args-');

  it('says what is wrong with a negative --limit, not "ambiguous"', async () => {
    for (const args of [['devices', 'search', 'x', '--limit', '-1'], ['audit', 'list', '--limit', '-1']]) {
      const result = await runTec(['--data-dir', dataDir(), ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--limit takes a whole number from 1 to 500, not "-1"');
      expect(result.stderr).not.toContain('ambiguous');
    }
  });

  it('refuses a --limit that is not a whole number', async () => {
    const result = await runTec(['--data-dir', dataDir(), 'audit', 'list', '--limit', '2.5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--limit takes a whole number from 1 to 500, not "2.5"');
  });

  it('suggests quoting when an unquoted name with spaces gives too many arguments', async () => {
    const result = await runTec(['--data-dir', dataDir(), 'sync', 'Acme', 'Android']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Too many arguments: "Acme" "Android".');
    expect(result.stderr).toContain('A name with spaces must be quoted, for example "Acme Android".');
  });

  it('says an argument is missing', async () => {
    const result = await runTec(['--data-dir', dataDir(), 'sync']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Missing argument.');
  });
});

describe('npx tec --version from a checkout', () => {
  it('prints the app\'s version, not npm\'s', async () => {
    const root = path.resolve(__dirname, '../..');
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'tec', '--version'], { cwd: root, env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(stdout.trim()).toBe(APP_VERSION);
  });
});
