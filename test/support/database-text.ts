import fs from 'node:fs';
import path from 'node:path';

/** Everything the console's SQLite files hold (main file and WAL), as text: to prove a secret never reached the disk. */
export function databaseText(dataDir: string): string {
  return ['console.sqlite', 'console.sqlite-wal']
    .map((file) => path.join(dataDir, file))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file).toString('latin1'))
    .join('');
}
