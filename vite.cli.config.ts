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
      input: { tec: resolve(__dirname, 'src-main/cli/entry.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...Object.keys(pkg.dependencies), /^node-forge\//],
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    },
  },
});
