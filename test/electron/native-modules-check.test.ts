import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src-shared/errors';
import {
  assertNativeModulesLoadable,
  findNativeModuleFailures,
  type NativeModuleProbe,
} from '../../src-main/electron/native-modules-check';

const require = createRequire(import.meta.url);
const nodeVersions = { modules: process.versions.modules, node: process.versions.node };
const FOREIGN_ABI = Number(process.versions.modules) + 25;

/**
 * A real addon registered for another NODE_MODULE_VERSION, so Node itself refuses it with its real message, exactly
 * as Electron refuses a better-sqlite3 built for Node. It uses the legacy registration (a constructor calling
 * node_module_register with a `struct node_module` whose first field is the version), the path that produces
 * Node's "was compiled against a different Node.js version" error.
 */
const FOREIGN_ADDON_SOURCE = `
struct node_module {
  int nm_version; unsigned int nm_flags; void* nm_dso_handle; const char* nm_filename;
  void* nm_register_func; void* nm_context_register_func; const char* nm_modname; void* nm_priv; void* nm_link;
};
extern void node_module_register(void*);
static void init(void* exports, void* module, void* context, void* priv) {}
static struct node_module m = { ${FOREIGN_ABI}, 0, 0, "foreign.c", 0, (void*)init, "foreign_abi", 0, 0 };
__attribute__((constructor)) static void reg(void) { node_module_register(&m); }
`;

let dir: string;
let foreignAddon: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tec-abi-'));
  writeFileSync(join(dir, 'foreign.c'), FOREIGN_ADDON_SOURCE);
  foreignAddon = join(dir, 'foreign.node');
  // A C compiler is part of this project's toolchain (better-sqlite3 and keytar compile from source on install).
  const flags = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared', '-fPIC'];
  execFileSync('cc', [...flags, '-o', foreignAddon, join(dir, 'foreign.c')], { stdio: 'pipe' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const foreignProbe = (): NativeModuleProbe => ({ name: 'better-sqlite3', load: (load) => void load(foreignAddon) });

describe('native module check', () => {
  it('passes with the better-sqlite3 and keytar this checkout built for its runtime', () => {
    expect(findNativeModuleFailures(require)).toEqual([]);
    expect(() => assertNativeModulesLoadable(require, nodeVersions)).not.toThrow();
  });

  it('recognises a module built for another ABI from the runtime\'s own error and names both versions', () => {
    const failures = findNativeModuleFailures(require, [foreignProbe()]);
    expect(failures).toEqual([
      expect.objectContaining({
        module: 'better-sqlite3',
        kind: 'abi-mismatch',
        builtFor: FOREIGN_ABI,
        required: Number(process.versions.modules),
      }),
    ]);
  });

  it('fails loudly with NATIVE_MODULE_ABI_MISMATCH and a message that says what happened and what to do', () => {
    let thrown: unknown;
    try {
      assertNativeModulesLoadable(require, { ...nodeVersions, electron: '45.5.0' }, [foreignProbe()]);
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown)).toBe(true);
    const error = thrown as Error & { code: string; details: Record<string, unknown> };
    expect(error.code).toBe('NATIVE_MODULE_ABI_MISMATCH');
    expect(error.message).toContain(`better-sqlite3 was built for NODE_MODULE_VERSION ${FOREIGN_ABI}`);
    expect(error.message).toContain(`Electron 45.5.0 requires NODE_MODULE_VERSION ${process.versions.modules}`);
    expect(error.message).toContain('packaged without rebuilding its native modules for Electron');
    expect(error.details).toEqual({ runtime: 'Electron 45.5.0', modules: ['better-sqlite3'] });
  });

  it('reports a module that cannot load at all as NATIVE_MODULE_LOAD_FAILED, after checking every module', () => {
    const missing: NativeModuleProbe = { name: 'keytar', load: (load) => void load(join(dir, 'absent.node')) };
    let thrown: unknown;
    try {
      assertNativeModulesLoadable(require, nodeVersions, [missing]);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code: string }).code).toBe('NATIVE_MODULE_LOAD_FAILED');
    expect((thrown as Error).message).toMatch(/keytar could not be loaded in Node\.js .*Cannot find module/);

    const both = findNativeModuleFailures(require, [missing, foreignProbe()]);
    expect(both.map((failure) => failure.kind)).toEqual(['load-failed', 'abi-mismatch']);
  });
});
