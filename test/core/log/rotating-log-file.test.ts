import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../../src-main/core/log/rotating-log-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tec-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (n: number) => `line ${String(n).padStart(4, '0')} ${'x'.repeat(40)}`; // 51 bytes + newline

describe('RotatingLogFile', () => {
  it('rotates by size and keeps exactly maxFiles files, newest lines in the live file', () => {
    const file = new RotatingLogFile({ directory: dir, fileName: 'main.log', maxBytes: 520, maxFiles: 3 });
    for (let n = 0; n < 100; n += 1) file.write(line(n));
    file.close();

    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(520);
    const live = readFileSync(join(dir, 'main.log'), 'utf8').trimEnd().split('\n');
    const previous = readFileSync(join(dir, 'main.1.log'), 'utf8').trimEnd().split('\n');
    const oldest = readFileSync(join(dir, 'main.2.log'), 'utf8').trimEnd().split('\n');
    expect(live.at(-1)).toBe(line(99));
    // The three files hold a contiguous tail of what was written: nothing lost between them, nothing duplicated.
    const kept = [...oldest, ...previous, ...live];
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => line(100 - kept.length + i)));
    expect(kept.length).toBe(30);
  });

  it('appends to an existing live file and counts its size towards the limit', () => {
    writeFileSync(join(dir, 'main.log'), 'y'.repeat(500) + '\n');
    const file = new RotatingLogFile({ directory: dir, fileName: 'main.log', maxBytes: 520, maxFiles: 2 });
    file.write(line(1));
    file.close();
    expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toBe('y'.repeat(500) + '\n');
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toBe(`${line(1)}\n`);
  });

  it('with maxFiles 1 starts the file over instead of keeping old ones', () => {
    const file = new RotatingLogFile({ directory: dir, fileName: 'cli.log', maxBytes: 120, maxFiles: 1 });
    for (let n = 0; n < 5; n += 1) file.write(line(n));
    file.close();
    expect(readdirSync(dir)).toEqual(['cli.log']);
    expect(readFileSync(join(dir, 'cli.log'), 'utf8')).toBe(`${line(4)}\n`);
  });

  it('writes an entry longer than maxBytes whole, into a file of its own', () => {
    const file = new RotatingLogFile({ directory: dir, fileName: 'main.log', maxBytes: 100, maxFiles: 3 });
    file.write('short');
    file.write('z'.repeat(300));
    file.write('after');
    file.close();
    expect(readFileSync(join(dir, 'main.2.log'), 'utf8')).toBe('short\n');
    expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toBe(`${'z'.repeat(300)}\n`);
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toBe('after\n');
  });

  it('carries on when rotated files were deleted by hand', () => {
    const file = new RotatingLogFile({ directory: dir, fileName: 'main.log', maxBytes: 60, maxFiles: 4 });
    file.write(line(1));
    file.write(line(2));
    unlinkSync(join(dir, 'main.1.log'));
    file.write(line(3));
    file.close();
    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.log']);
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toBe(`${line(3)}\n`);
  });

  // POSIX permissions; on Windows the per-user profile folder's ACL is what keeps the logs private.
  it.skipIf(process.platform === 'win32')('creates the directory and files readable by their owner only', () => {
    const nested = join(dir, 'a', 'logs');
    const file = new RotatingLogFile({ directory: nested, fileName: 'main.log', maxBytes: 1000, maxFiles: 2 });
    file.write('hello');
    file.close();
    expect(statSync(join(nested, 'main.log')).mode & 0o777).toBe(0o600);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
  });

  it('refuses a limit that cannot rotate', () => {
    expect(() => new RotatingLogFile({ directory: dir, fileName: 'main.log', maxBytes: 100, maxFiles: 0 })).toThrow(RangeError);
    expect(() => new RotatingLogFile({ directory: dir, fileName: 'main.log', maxBytes: 0, maxFiles: 2 })).toThrow(RangeError);
  });
});
