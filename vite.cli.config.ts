import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import pkg from './package.json';

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
      input: { tec: resolve(__dirname, 'src-main/cli/entry.ts'), 'sync-worker': resolve(__dirname, 'src-main/core/sync/sync-worker.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...Object.keys(pkg.dependencies), /^node-forge\//],
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    },
  },
});
