import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir';
import { runTec } from './cli-harness';

const tempDir = useTempDir('tec-cli-log-');

// On Linux and Windows the log folder is <data directory>/logs, as Electron's app.getPath('logs') (README, Logs).
const cliLog = (dataDir: string) => fs.readFileSync(path.join(dataDir, 'logs', 'cli.log'), 'utf8');

describe('tec writes cli.log', () => {
  it('one line when a command starts and one when it ends, with its exit code', async () => {
    const dataDir = tempDir();
    const result = await runTec(['integration', 'list', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    const lines = cliLog(dataDir).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ INFO  \[cli\] command started \{"command":"integration list","version":"[^"]+"\}$/);
    expect(lines[1]).toMatch(/ INFO  \[cli\] command finished \{"command":"integration list","exitCode":0\}$/);
  });

  it("a failed command's error code and message, and never the password it was given", async () => {
    const dataDir = tempDir();
    const password = 'Sup3r-Secret-Ivanti-Pw';
    const result = await runTec(['integration', 'add', '--name', 'Android', '--platform', 'android', '--domain', 'bad domain!', '--email', 'api@acme.example', '--data-dir', dataDir], {
      env: { TEC_IVANTI_PASSWORD: password },
    });
    expect(result.code).not.toBe(0);
    const log = cliLog(dataDir);
    expect(log).toMatch(/ERROR \[cli\] command failed \{"command":"integration add","exitCode":\d+,"error":\{"code":"VALIDATION_FAILED","message":"[^"]+"/);
    expect(log).not.toContain(password);
  });

  it('help writes no log', async () => {
    const dataDir = tempDir();
    await runTec(['integration', '--help', '--data-dir', dataDir]);
    expect(fs.existsSync(path.join(dataDir, 'logs'))).toBe(false);
  });
});
