import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { readNativeAbi, readNativeAbiOfFile } from '../../resources/packaging/native-abi.mjs';

const require = createRequire(import.meta.url);
const addon = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), 'build', 'Release', file);

describe('reading which runtime a native addon was built for', () => {
  it('reads the NODE_MODULE_VERSION of the better-sqlite3 built for this Node', () => {
    expect(readNativeAbiOfFile(addon('better-sqlite3', 'better_sqlite3.node'))).toEqual({
      napi: false,
      nodeAbis: [Number(process.versions.modules)],
    });
  });

  it('recognises keytar as N-API, loadable by any runtime', () => {
    expect(readNativeAbiOfFile(addon('keytar', 'keytar.node')).napi).toBe(true);
  });

  it('finds every ABI a fat binary carries', () => {
    const fat = Buffer.from('\x00node_register_module_v150\x00...\x00node_register_module_v150\x00node_register_module_v115\x00', 'latin1');
    expect(readNativeAbi(fat)).toEqual({ napi: false, nodeAbis: [115, 150] });
  });
});
