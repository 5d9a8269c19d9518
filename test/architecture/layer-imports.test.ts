import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function filesUnder(dir: string, pattern = /\.(ts|tsx)$/): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full, pattern) : pattern.test(entry.name) ? [full] : [];
  });
}

/** Every module specifier a file imports, statically or dynamically, or re-exports. */
export function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const patterns = [/(?:^|\s)import\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/g, /export\s+[^'"]*?\s+from\s+['"]([^'"]+)['"]/g, /import\(\s*['"]([^'"]+)['"]\s*\)/g, /require\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1]);
  return specifiers;
}

const NODE_MODULES = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const MAIN_ONLY_PACKAGES = ['electron', 'better-sqlite3', 'keytar', 'axios', 'node-forge', 'axios-ntlm', 'https-proxy-agent', 'proxy-from-env'];

describe('layer rules (DESIGN.md: nothing imports upward)', () => {
  it('src-shared imports no Node module, no electron and nothing outside src-shared except zod', () => {
    const offenders: string[] = [];
    for (const file of filesUnder('src-shared')) {
      for (const spec of importsOf(file)) {
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : null;
        const allowed = spec === 'zod' || (resolved !== null && resolved.startsWith(path.resolve('src-shared')));
        if (!allowed || NODE_MODULES.has(spec)) offenders.push(`${file} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the renderer reaches main only through src-shared and its typed api module', () => {
    const offenders: string[] = [];
    for (const file of filesUnder('src-renderer')) {
      for (const spec of importsOf(file)) {
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : null;
        if (NODE_MODULES.has(spec) || MAIN_ONLY_PACKAGES.includes(spec)) offenders.push(`${file} imports ${spec}`);
        if (resolved && !resolved.startsWith(path.resolve('src-renderer')) && !resolved.startsWith(path.resolve('src-shared'))) {
          offenders.push(`${file} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('core services never import electron or the Electron layer, so they run in plain Node', () => {
    const offenders: string[] = [];
    for (const file of filesUnder('src-main/core')) {
      for (const spec of importsOf(file)) {
        if (spec === 'electron' || spec.includes('/electron/') || spec.includes('/cli/')) offenders.push(`${file} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the CLI does not import the Electron layer', () => {
    const offenders = filesUnder('src-main/cli').flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec === 'electron' || spec.includes('/electron/'))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the rule checker itself sees the imports it must forbid', () => {
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tec-probe-')), 'probe.ts');
    fs.writeFileSync(probe, "import fs from 'node:fs';\nimport type { X } from 'electron';\nconst k = await import('keytar');\nexport * from '../x';\n");
    expect(importsOf(probe)).toEqual(['node:fs', 'electron', '../x', 'keytar']);
  });
});
