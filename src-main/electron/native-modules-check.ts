import { AppError } from '../../src-shared/errors';
import { sqliteBindingOption } from '../core/db/sqlite-binding';

/**
 * Start-up check that the native modules in a packaged app were built for this Electron. better-sqlite3 12 is not
 * N-API: built for Node's ABI it loads in tests and breaks in the app, and a packaging step that skipped the rebuild
 * (or built against the wrong headers) would otherwise surface as a crash deep inside the first database call.
 *
 * Electron-free on purpose: `require` and the runtime versions are parameters, so tests run it in plain Node with a
 * module really built for another ABI.
 */

export type ModuleLoader = (id: string) => unknown;

export interface RuntimeVersions {
  /** NODE_MODULE_VERSION of the running runtime (`process.versions.modules`). */
  modules: string;
  node: string;
  /** Present inside Electron. */
  electron?: string;
}

export interface NativeModuleProbe {
  name: string;
  /** Loads the module's compiled binary, not just its JavaScript. */
  load: (load: ModuleLoader) => void;
}

export const NATIVE_MODULE_PROBES: readonly NativeModuleProbe[] = [
  {
    name: 'better-sqlite3',
    // `require('better-sqlite3')` only loads JavaScript: the addon is loaded lazily by the first `new Database()`.
    load: (load) => {
      const Database = load('better-sqlite3') as new (filename: string, options: object) => { close(): void };
      // The binary the app's connections load: the Electron build beside node_modules when unpackaged.
      new Database(':memory:', sqliteBindingOption()).close();
    },
  },
  {
    name: 'keytar',
    // keytar loads its addon on require. It is N-API (any ABI), but a wrong architecture or a missing libsecret
    // still fails here rather than at the first keychain call.
    load: (load) => {
      load('keytar');
    },
  },
];

export type NativeModuleFailure =
  | { module: string; kind: 'abi-mismatch'; builtFor: number; required: number; detail: string }
  | { module: string; kind: 'load-failed'; detail: string };

// Node's own wording (src/node_binding.cc): "...was compiled against a different Node.js version using
// NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 140. ..." Electron keeps it.
const ABI_MISMATCH = /NODE_MODULE_VERSION (\d+)\.\s+This version of [\w.\s]+? requires\s+NODE_MODULE_VERSION (\d+)/;

/** Tries every probe and answers what failed; an empty list means every native module is usable. */
export function findNativeModuleFailures(
  load: ModuleLoader,
  probes: readonly NativeModuleProbe[] = NATIVE_MODULE_PROBES,
): NativeModuleFailure[] {
  const failures: NativeModuleFailure[] = [];
  for (const probe of probes) {
    try {
      probe.load(load);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const abi = ABI_MISMATCH.exec(detail);
      failures.push(
        abi
          ? { module: probe.name, kind: 'abi-mismatch', builtFor: Number(abi[1]), required: Number(abi[2]), detail }
          : { module: probe.name, kind: 'load-failed', detail },
      );
    }
  }
  return failures;
}

function runtimeName(versions: RuntimeVersions): string {
  return versions.electron ? `Electron ${versions.electron}` : `Node.js ${versions.node}`;
}

/** A message an admin (or whoever packaged the app) can act on, one paragraph per failed module. */
export function describeNativeModuleFailures(failures: readonly NativeModuleFailure[], versions: RuntimeVersions): string {
  const runtime = runtimeName(versions);
  const lines = failures.map((failure) =>
    failure.kind === 'abi-mismatch'
      ? `• ${failure.module} was built for NODE_MODULE_VERSION ${failure.builtFor}, but ${runtime} requires ` +
        `NODE_MODULE_VERSION ${failure.required} (process.versions.modules is ${versions.modules}).`
      : `• ${failure.module} could not be loaded in ${runtime}: ${failure.detail.split('\n')[0]}`,
  );
  const fix = failures.some((failure) => failure.kind === 'abi-mismatch')
    ? 'This copy of Trusted Endpoints Console was packaged without rebuilding its native modules for Electron. ' +
      'Install an official release, or rebuild the installer with `npm run package` on a machine with internet ' +
      'access (it rebuilds native modules for Electron and verifies them).'
    : 'Reinstall the app; if it still fails, send this message and the log file to whoever packaged it.';
  return [`Trusted Endpoints Console cannot start: a native module is unusable.`, ...lines, fix].join('\n');
}

/**
 * Throws an AppError describing every unusable native module; call it at start-up before anything opens the database
 * or the keychain, and show the message (dialog in the app, stderr in `--cli` mode) before exiting non-zero.
 */
export function assertNativeModulesLoadable(
  load: ModuleLoader,
  versions: RuntimeVersions,
  probes: readonly NativeModuleProbe[] = NATIVE_MODULE_PROBES,
): void {
  const failures = findNativeModuleFailures(load, probes);
  if (failures.length === 0) return;
  const code = failures.some((failure) => failure.kind === 'abi-mismatch') ? 'NATIVE_MODULE_ABI_MISMATCH' : 'NATIVE_MODULE_LOAD_FAILED';
  throw new AppError(code, describeNativeModuleFailures(failures, versions), {
    runtime: runtimeName(versions),
    modules: failures.map((failure) => failure.module),
  });
}
