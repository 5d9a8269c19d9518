import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// An ES module (.mts) because package.json says "type": "commonjs": Vite warns about ESM syntax in a .ts config
// loaded as CommonJS, and its coming native loader would refuse it.
const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

// The `tec` bundle: one CommonJS entry plus a chunk per command group (dynamic imports), dependencies left in
// node_modules. Native modules (better-sqlite3, keytar) must stay external anyway.
export default defineConfig({
  build: {
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    ssr: true,
    rollupOptions: {
      // The sync worker is an entry of its own, started by the CLI as a worker thread (src-main/core/sync/sync-worker.ts).
      input: { tec: resolve(root, 'src-main/cli/entry.ts'), 'sync-worker': resolve(root, 'src-main/core/sync/sync-worker.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...Object.keys(pkg.dependencies), /^node-forge\//],
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    },
  },
});
