import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';

/**
 * Fresh directories, removed after each test, or with `lives: 'file'` after the file's last test (for a database its
 * tests share).
 */
export function useTempDir(prefix = 'tec-test-', options: { lives?: 'test' | 'file' } = {}): () => string {
  const made: string[] = [];
  (options.lives === 'file' ? afterAll : afterEach)(() => {
    // The WAL checkpoint thread of a sync engine ends on its own shortly after the engine's connection closes and may
    // still write the -wal/-shm files while the folder is removed (ENOTEMPTY, seen once in CI): rmSync retries those.
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  });
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
