import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors';

/**
 * Every folder and file the console creates on disk goes through here, so "private by default" is one rule: folders
 * 0700 and files 0600 on POSIX (the database, its WAL and SHM, exports, logs), whatever the umask. Devices, users and
 * the audit trail are in them; other accounts on the machine have no business reading them.
 *
 * Folders are created one level at a time, never with `mkdirSync({ recursive: true })`: on Node 20 that loops for
 * ever on a path it can never create (`/proc/tec`), ignoring SIGTERM. Any path that cannot be used is a LOCAL_DATA
 * error at once, naming the path and why.
 */
const POSIX = process.platform !== 'win32';
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * A folder the console owns (data directory, exports, logs): created owner-only if missing, and tightened if it is
 * already there and ours (`owned` says how to tell: a folder the user pointed us at that holds other things is left
 * as it is).
 */
export function ensurePrivateDirectory(dir: string, what: string, owned: (dir: string) => boolean = () => true): void {
  const created = ensureDirectory(dir, what);
  if (POSIX && (created || owned(dir))) chmodOrFail(dir, PRIVATE_DIR_MODE, what);
}

/**
 * A folder the admin chose (an export's destination): missing levels are created owner-only; an existing folder is
 * used as it is. Answers whether the folder itself had to be created.
 */
export function ensureDirectory(dir: string, what: string): boolean {
  const target = path.resolve(dir);
  const existing = statOrNull(target, what);
  if (existing) {
    if (!existing.isDirectory()) throw unusable(target, what, 'it is a file, not a folder');
    return false;
  }
  const parent = path.dirname(target);
  if (parent !== target) ensureDirectory(parent, what);
  try {
    fs.mkdirSync(target, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statOrNull(target, what)?.isDirectory()) return false;
    // ENOENT right after the parent was found: a virtual file system such as /proc, where nothing can be created.
    throw unusable(target, what, reasonFor(code, 'no folder can be created there'));
  }
  return true;
}

/** Makes an existing file owner-only (an installation from before this rule, a file SQLite created). Missing: nothing. */
export function tightenFile(file: string, what: string): void {
  if (!POSIX) return;
  try {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(file, what, reasonFor((error as NodeJS.ErrnoException).code, 'its permissions cannot be set'));
  }
}

/**
 * Creates a new file for writing that nobody else can have prepared: exclusively (O_EXCL: an existing file or a
 * planted symbolic link makes it fail instead of being followed), owner-only. Answers its descriptor.
 */
export function createExclusiveFile(file: string, what: string): number {
  const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
  const noFollow = fs.constants.O_NOFOLLOW ?? 0;
  try {
    return fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | noFollow, PRIVATE_FILE_MODE);
  } catch (error) {
    throw unusable(file, what, reasonFor((error as NodeJS.ErrnoException).code, 'it cannot be created'));
  }
}

export function localDataError(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('LOCAL_DATA', message, details);
}

function statOrNull(target: string, what: string): fs.Stats | null {
  try {
    return fs.statSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw unusable(target, what, reasonFor(code, 'it cannot be read'));
  }
}

function chmodOrFail(target: string, mode: number, what: string): void {
  try {
    fs.chmodSync(target, mode);
  } catch (error) {
    throw unusable(target, what, reasonFor((error as NodeJS.ErrnoException).code, 'its permissions cannot be set'));
  }
}

function reasonFor(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'ENOTDIR':
      return 'part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EEXIST':
      return 'something is already there';
    case 'ELOOP':
      return 'it is a symbolic link';
    default:
      return fallback;
  }
}

function unusable(target: string, what: string, reason: string): AppError {
  return localDataError(`The ${what} ${target} cannot be used: ${reason}. Choose another location.`, { path: target });
}

/** At start-up: an existing folder of ours and the files directly in it become owner-only (installs from before). */
export function tightenExistingFolder(dir: string, what: string): void {
  if (!POSIX || statOrNull(dir, what)?.isDirectory() !== true) return;
  chmodOrFail(dir, PRIVATE_DIR_MODE, what);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // Regular files only: a symbolic link is not followed to tighten whatever it points at.
    if (entry.isFile()) tightenFile(path.join(dir, entry.name), what);
  }
}
