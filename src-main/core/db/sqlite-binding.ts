import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Which compiled better-sqlite3 a process loads. better-sqlite3 12 is not N-API, so a binary serves one ABI: Node's
 * or Electron's. node_modules keeps Node's build (tests, `tec` under Node, the web rig); `npm start` / `npm run dev`
 * add a build for Electron beside it (resources/start/prepare-electron.mjs), which the unpackaged app loads through
 * better-sqlite3's `nativeBinding` option; a packaged app loads its node_modules' own, which electron-builder rebuilt
 * for Electron. Electron-free: the runtime facts are parameters, so tests decide them.
 */

export interface ElectronSqliteBuild {
  /** The node_modules directory that holds better-sqlite3. */
  nodeModules: string;
  sqliteVersion: string;
  electronVersion: string;
  platform: NodeJS.Platform;
  arch: string;
}

/**
 * Where the start step puts the Electron build. Keyed by every version that changes the binary, so an upgrade of
 * either package never loads a stale build. resources/start/prepare-electron.mjs writes the same path (a test checks).
 */
export function electronSqliteBindingPath(build: ElectronSqliteBuild): string {
  const { nodeModules, sqliteVersion, electronVersion, platform, arch } = build;
  return path.join(nodeModules, '.cache', 'tec-electron-abi', `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
}

export interface SqliteRuntime {
  /** `process.versions.electron`: undefined under Node. */
  electronVersion: string | undefined;
  /** Electron's `app.isPackaged`. */
  isPackaged: boolean;
  /** Where better-sqlite3 is installed, as this process resolves it. */
  sqlitePackage: () => { dir: string; version: string };
  platform: NodeJS.Platform;
  arch: string;
}

/** The binary to pass as `nativeBinding`, or null for better-sqlite3's own lookup (node_modules' build). */
export function chooseSqliteBinding(runtime: SqliteRuntime): string | null {
  if (runtime.electronVersion === undefined) return null;
  // A packaged app loads only what it was packaged with: never a binary from outside its bundle.
  if (runtime.isPackaged) return null;
  const sqlite = runtime.sqlitePackage();
  return electronSqliteBindingPath({
    nodeModules: path.dirname(sqlite.dir),
    sqliteVersion: sqlite.version,
    electronVersion: runtime.electronVersion,
    platform: runtime.platform,
    arch: runtime.arch,
  });
}

/** better-sqlite3 as this process resolves it (from the main bundle: the checkout's node_modules). */
export function resolvedSqlitePackage(): { dir: string; version: string } {
  const load = createRequire(__filename);
  const manifest = load.resolve('better-sqlite3/package.json');
  return { dir: path.dirname(manifest), version: (load(manifest) as { version: string }).version };
}

let chosen: string | null = null;

/**
 * Sets the binary every connection opened in this thread loads; worker threads receive it in their workerData and
 * set it for themselves. Set it once, at start-up, before anything opens a database.
 */
export function useSqliteBinding(binding: string | null): void {
  chosen = binding;
}

export function sqliteBinding(): string | null {
  return chosen;
}

/** Spread into every `new Database(file, options)`. */
export function sqliteBindingOption(): { nativeBinding?: string } {
  return chosen === null ? {} : { nativeBinding: chosen };
}
