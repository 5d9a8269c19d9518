import { copyFileSync, cpSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/**
 * A checkout as `git clone && npm ci` leaves it, before anything was started: the electron and electron-vite packages
 * are copies (electron without dist/ and path.txt, and electron-vite finds this copy's electron), the start scripts
 * are copies (a script's own location decides which checkout it prepares), everything else in node_modules and the
 * sources are links to this checkout's. Nothing is shared that a start writes to.
 */
export function scratchCheckout(dir: string): void {
  mkdirSync(dir);
  for (const file of ['package.json', 'electron.vite.config.ts', ...readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name))]) {
    copyFileSync(join(root, file), join(dir, file));
  }
  for (const source of ['src-main', 'src-shared', 'src-renderer']) symlinkSync(join(root, source), join(dir, source), 'junction');
  // Copied, not linked: a script's own location decides which checkout it prepares.
  cpSync(join(root, 'resources', 'start'), join(dir, 'resources', 'start'), { recursive: true });
  mkdirSync(join(dir, 'resources', 'packaging'));
  copyFileSync(join(root, 'resources', 'packaging', 'native-abi.mjs'), join(dir, 'resources', 'packaging', 'native-abi.mjs'));

  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === '.bin' || name === '.cache' || name === 'electron' || name === 'electron-vite') continue;
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'junction');
  }
  // Relative links, as npm makes them, so `electron-vite` runs this checkout's copy.
  for (const bin of readdirSync(join(root, 'node_modules', '.bin'))) {
    symlinkSync(readlinkSync(join(root, 'node_modules', '.bin', bin)), join(modules, '.bin', bin));
  }
  cpSync(join(root, 'node_modules', 'electron-vite'), join(modules, 'electron-vite'), { recursive: true });
  cpSync(join(root, 'node_modules', 'electron'), join(modules, 'electron'), {
    recursive: true,
    filter: (file) => !['dist', 'path.txt'].includes(file.slice(join(root, 'node_modules', 'electron').length + 1)),
  });
}

