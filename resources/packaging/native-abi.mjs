// Which runtime a compiled Node addon was built for, read from the binary itself (ELF, Mach-O, fat Mach-O or PE alike):
// a non-N-API addon exports `node_register_module_v<NODE_MODULE_VERSION>`, an N-API one `napi_register_module_v1`.
// package.mjs uses it to refuse installers whose better-sqlite3 was built for Node instead of Electron: a rebuild
// that silently targets Node's ABI (npm's `nodedir` pointing at Node's own headers does that) still "succeeds".
import { readFileSync } from 'node:fs';

/** @returns {{ napi: boolean, nodeAbis: number[] }} */
export function readNativeAbi(buffer) {
  const text = buffer.toString('latin1');
  const nodeAbis = new Set();
  for (const match of text.matchAll(/node_register_module_v(\d+)/g)) nodeAbis.add(Number(match[1]));
  return { napi: text.includes('napi_register_module_v'), nodeAbis: [...nodeAbis].sort((a, b) => a - b) };
}

export function readNativeAbiOfFile(path) {
  return readNativeAbi(readFileSync(path));
}
