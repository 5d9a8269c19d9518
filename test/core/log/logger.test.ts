import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultLogDirectory } from '../../../src-main/core/log/log-directory';
import { Logger, MAX_ENTRY_CHARS, openFileLogger } from '../../../src-main/core/log/logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tec-logger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fixedClock = () => new Date('2026-11-28T17:45:00.123Z');

describe('Logger', () => {
  it('writes one redacted line per entry to the rotating file, with time, level, scope and fields', () => {
    const { logger, file } = openFileLogger({ directory: dir, fileName: 'main.log' }, { clock: fixedClock });
    logger.child('ivanti').info('login as api@acme.com with password=hunter2\nsecond line', {
      domain: 'acme.mobileiron.com',
      password: 'hunter2',
      headers: { Authorization: 'Basic YXBpOmh1bnRlcjI=' },
    });
    file.close();
    const text = readFileSync(join(dir, 'main.log'), 'utf8');
    expect(text).toBe(
      '2026-11-28T17:45:00.123Z INFO  [ivanti] login as api@acme.com with password=[REDACTED]\\nsecond line ' +
        '{"domain":"acme.mobileiron.com","password":"[REDACTED]","headers":{"Authorization":"[REDACTED]"}}\n',
    );
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('YXBpOmh1bnRlcjI');
  });

  it('drops entries below its level and nests scopes', () => {
    const lines: string[] = [];
    const logger = new Logger({ write: (line) => lines.push(line) }, { level: 'warn', clock: fixedClock, scope: 'sync' });
    logger.info('not kept');
    logger.child('space').warn('kept');
    logger.error('kept too');
    expect(lines).toEqual([
      '2026-11-28T17:45:00.123Z WARN  [sync/space] kept',
      '2026-11-28T17:45:00.123Z ERROR [sync] kept too',
    ]);
  });

  it('caps a runaway entry', () => {
    const lines: string[] = [];
    new Logger({ write: (line) => lines.push(line) }).info('page', { html: '<p>'.repeat(20_000) });
    expect(lines[0]!.length).toBeLessThan(MAX_ENTRY_CHARS + 40);
    expect(lines[0]).toMatch(/chars cut\]$/);
  });

  it('never throws into the caller when the sink fails, and reports the failure', () => {
    // A file where the log directory should be: the sink cannot create its directory.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, '');
    const errors: unknown[] = [];
    const { logger } = openFileLogger({ directory: join(blocked, 'logs'), fileName: 'main.log' }, { onSinkError: (e) => errors.push(e) });
    expect(() => logger.error('disk trouble')).not.toThrow();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('LOCAL_DATA');
  });
});

describe('defaultLogDirectory', () => {
  it('matches Electron: ~/Library/Logs/<app> on macOS, <userData>/logs elsewhere', () => {
    const inputs = { homeDir: '/Users/ann', userDataDir: '/data/tec', appName: 'Trusted Endpoints Console' };
    expect(defaultLogDirectory({ ...inputs, platform: 'darwin' })).toBe('/Users/ann/Library/Logs/Trusted Endpoints Console');
    expect(defaultLogDirectory({ ...inputs, platform: 'linux' })).toBe('/data/tec/logs');
    expect(defaultLogDirectory({ ...inputs, platform: 'win32' })).toBe(join('/data/tec', 'logs'));
  });
});
