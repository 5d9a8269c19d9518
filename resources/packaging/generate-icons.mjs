#!/usr/bin/env node
// Renders every platform icon from the one source image, resources/icon.svg (`npm run icons`):
//   icons/icon.png        1024 px, the fallback electron-builder and the Linux window use
//   icons/png/NxN.png     the Linux icon set (electron-builder installs each size into hicolor)
//   icons/icon.ico        Windows (exe, NSIS installer), 16–256 px
//   icons/icon.icns       macOS (app bundle, dmg)
//   icons/source.sha256   hash of the icon.svg they came from, so a test can tell stale icons from fresh ones
// The outputs are committed: packaging never depends on a rasterizer being installable on the build machine.
//
// Usage: node resources/packaging/generate-icons.mjs [--out <dir>]   (default: resources/icons)
import { Resvg } from '@resvg/resvg-js';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import png2icons from 'png2icons';

const resourcesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ICON_SOURCE = join(resourcesDir, 'icon.svg');
export const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

function render(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng();
}

export function sourceHash(svg) {
  return createHash('sha256').update(svg).digest('hex');
}

export function generateIcons(outDir) {
  const svg = readFileSync(ICON_SOURCE);
  mkdirSync(join(outDir, 'png'), { recursive: true });
  const big = render(svg, 1024);
  writeFileSync(join(outDir, 'icon.png'), big);
  for (const size of LINUX_ICON_SIZES) writeFileSync(join(outDir, 'png', `${size}x${size}.png`), size === 1024 ? big : render(svg, size));
  // forWinExe: PNG entries except the small sizes, which stay BMP for the Explorer properties dialog.
  const ico = png2icons.createICO(big, png2icons.BICUBIC2, 0, true, true);
  const icns = png2icons.createICNS(big, png2icons.BICUBIC2, 0);
  if (!ico || !icns) throw new Error('png2icons could not convert the rendered PNG');
  writeFileSync(join(outDir, 'icon.ico'), ico);
  writeFileSync(join(outDir, 'icon.icns'), icns);
  writeFileSync(join(outDir, 'source.sha256'), `${sourceHash(svg)}  icon.svg\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at === -1 ? join(resourcesDir, 'icons') : resolve(process.argv[at + 1]);
  generateIcons(outDir);
  console.log(`icons written to ${outDir}`);
}
