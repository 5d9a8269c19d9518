'use strict';
/**
 * Preloaded into the electronegativity process. Its TypeScript parser (@typescript-eslint/typescript-estree 4) needs
 * the TypeScript 4 compiler API, but npm hoists it next to our TypeScript 7, which has no JS API. This sends only that
 * package's `require('typescript')` to the TypeScript 4.2 that electronegativity ships in its own folder.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

// Real paths: node_modules may be a link (a git worktree sharing one install), and module filenames are real paths.
const nodeModules = fs.realpathSync(path.resolve(__dirname, '..', '..', 'node_modules'));
const bundledTs = path.join(nodeModules, '@doyensec', 'electronegativity', 'node_modules', 'typescript');
const estree = path.join(nodeModules, '@typescript-eslint', 'typescript-estree');

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  if (request === 'typescript' && parent && parent.filename && parent.filename.startsWith(estree) && fs.existsSync(bundledTs)) {
    return originalResolve.call(this, bundledTs, parent, ...rest);
  }
  return originalResolve.call(this, request, parent, ...rest);
};

