import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir';

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

/** The file a relative specifier names (`./x` → x.ts, x.tsx or x/index.ts), or null for a package or a missing file. */
function resolveImport(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(file), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

/**
 * Every import cycle among `files` (type-only imports count: they tie the modules' meaning together all the same),
 * one per strongly connected group, each as the path that closes it: `a.ts → b.ts → a.ts`.
 */
export function importCycles(files: string[]): string[] {
  const graph = new Map(files.map((f) => [path.resolve(f), importsOf(f).flatMap((spec) => resolveImport(f, spec) ?? [])]));
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (graph.get(node) ?? []).includes(node)) groups.push(group);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  // For each group, the shortest way from its first file back to itself.
  return groups.map((group) => {
    const members = new Set(group);
    const start = [...group].sort()[0];
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let last = start;
    search: while (queue.length > 0) {
      const node = queue.shift()!;
      for (const next of graph.get(node) ?? []) {
        if (!members.has(next)) continue;
        if (next === start) {
          last = node;
          break search;
        }
        if (!cameFrom.has(next)) {
          cameFrom.set(next, node);
          queue.push(next);
        }
      }
    }
    const cycle = [start];
    for (let node = last; node !== start; node = cameFrom.get(node)!) cycle.splice(1, 0, node);
    return [...cycle, start].map((f) => path.relative(process.cwd(), f)).join(' → ');
  });
}

const NODE_MODULES = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const MAIN_ONLY_PACKAGES = ['electron', 'better-sqlite3', 'keytar', 'axios', 'node-forge', 'axios-ntlm', 'https-proxy-agent', 'proxy-from-env', 'zstd-napi'];

const probeDir = useTempDir('tec-probe-');

describe('layer rules (docs/architecture.md, "Layers": nothing imports upward)', () => {
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

  it('no module imports itself through others: handlers take their services, not the composition root that builds them', () => {
    const files = ['src-shared', 'src-main', 'src-renderer'].flatMap((dir) => filesUnder(dir));
    expect(importCycles(files)).toEqual([]);
  });

  it('the cycle check finds a planted cycle, type-only imports included', () => {
    const dir = probeDir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'root.ts'), "import { handlers } from './sub';\nexport interface Services { a: number }\n");
    fs.writeFileSync(path.join(dir, 'sub', 'index.ts'), "export { handlers } from './handlers';\n");
    fs.writeFileSync(path.join(dir, 'sub', 'handlers.ts'), "import type { Services } from '../root';\nexport const handlers = 1;\n");
    fs.writeFileSync(path.join(dir, 'leaf.ts'), "import './root';\n");
    const rel = (f: string) => path.relative(process.cwd(), path.join(dir, f));
    expect(importCycles(['root.ts', 'sub/index.ts', 'sub/handlers.ts', 'leaf.ts'].map((f) => path.join(dir, f)))).toEqual([
      [rel('root.ts'), rel('sub/index.ts'), rel('sub/handlers.ts'), rel('root.ts')].join(' → '),
    ]);
  });

  it('the rule checker itself sees the imports it must forbid', () => {
    const probe = path.join(probeDir(), 'probe.ts');
    fs.writeFileSync(probe, "import fs from 'node:fs';\nimport type { X } from 'electron';\nconst k = await import('keytar');\nexport * from '../x';\n");
    expect(importsOf(probe)).toEqual(['node:fs', 'electron', '../x', 'keytar']);
  });
});
