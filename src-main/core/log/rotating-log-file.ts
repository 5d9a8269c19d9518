import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, parse } from 'node:path';
import { ensurePrivateDirectory, PRIVATE_FILE_MODE } from '../app/local-paths';

export interface RotatingLogFileOptions {
  /** Directory that holds the log files; created (owner-only) if missing. */
  directory: string;
  /** Name of the live file, e.g. `main.log`; rotated files become `main.1.log` … `main.<maxFiles-1>.log`. */
  fileName: string;
  /** The live file is rotated before a write would take it past this size. */
  maxBytes: number;
  /** Files kept in all, the live one included. */
  maxFiles: number;
}

/**
 * An append-only log file rotated by size, keeping a fixed number of files. Writes are synchronous: a line is with
 * the OS before `write` returns, so the lines just before a crash are on disk, which is when the log matters most.
 *
 * One writer per file name: the GUI and the CLI can share a directory but must use different file names, since two
 * processes rotating the same files would rename each other's live file away.
 */
export class RotatingLogFile {
  private fd: number | null = null;
  private size = 0;

  constructor(private readonly options: RotatingLogFileOptions) {
    if (!Number.isInteger(options.maxFiles) || options.maxFiles < 1) throw new RangeError('maxFiles must be an integer ≥ 1');
    if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) throw new RangeError('maxBytes must be an integer ≥ 1');
  }

  /** Path of the live file. */
  get path(): string {
    return join(this.options.directory, this.options.fileName);
  }

  /** Path of the n-th file: 0 is the live one, 1 the most recently rotated, and so on. */
  pathOf(index: number): string {
    if (index === 0) return this.path;
    const { name, ext } = parse(this.options.fileName);
    return join(this.options.directory, `${name}.${index}${ext}`);
  }

  /** Appends one line (a newline is added). A line longer than maxBytes still goes whole into a fresh file. */
  write(line: string): void {
    const data = Buffer.from(`${line}\n`, 'utf8');
    const fd = this.open();
    if (this.size > 0 && this.size + data.length > this.options.maxBytes) {
      this.rotate();
      return this.write(line);
    }
    writeSync(fd, data);
    this.size += data.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    // Logs name devices and users: readable by their owner only.
    ensurePrivateDirectory(this.options.directory, 'log folder');
    this.fd = openSync(this.path, 'a', PRIVATE_FILE_MODE);
    this.size = fstatSync(this.fd).size;
    return this.fd;
  }

  private rotate(): void {
    this.close();
    const last = this.options.maxFiles - 1;
    rmSync(this.pathOf(last), { force: true });
    for (let index = last - 1; index >= 0; index -= 1) {
      try {
        renameSync(this.pathOf(index), this.pathOf(index + 1));
      } catch (error) {
        // A gap in the numbering (files deleted by hand) is fine; anything else is a real failure.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}
