#!/usr/bin/env node
'use strict';
/**
 * Runs Doyensec's electronegativity over our Electron sources and fails on any finding (the tool itself always
 * exits 0, so its CSV report is parsed here).
 *
 * Why the resolver hook: electronegativity's TypeScript parser (@typescript-eslint/typescript-estree 4) needs the
 * TypeScript 4 compiler API, but npm hoists it next to our TypeScript 7, which has no JS API. The hook sends only
 * that package's `require('typescript')` to the TypeScript 4.2 that electronegativity ships in its own folder.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const tool = path.join(root, 'node_modules', '@doyensec', 'electronegativity');

const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src-main/electron', 'src-renderer/index.html'];
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-electronegativity-'));
const report = path.join(outDir, 'report.csv');
// Removed however the scan ends, findings (exit 1) included: the fixtures' run ends that way on purpose.
process.on('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));

// Scan a staging copy holding exactly what ships: the Electron layer and the renderer's HTML.
const stage = path.join(outDir, 'src');
for (const target of targets) {
  const from = path.join(root, target);
  const to = path.join(stage, target);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}
// Electronegativity reads the Electron version from package.json to pick the checks that apply.
fs.writeFileSync(path.join(stage, 'package.json'), fs.readFileSync(path.join(root, 'package.json')));

// Run the tool to completion in its own process, then read its report. The tool appends its rows with an
// asynchronous fs.writeFile and may exit before the write lands, so a report that is not well formed (a row that is
// not 8 cells starting with a check id) is not trusted: the scan runs again, up to three times, then fails.
const findings = scanUntilWellFormed(3);
{
  const { reviewed } = JSON.parse(fs.readFileSync(path.join(__dirname, 'electronegativity-reviewed.json'), 'utf8'));
  const isReviewed = (f, r) => f[0] === r.check && f[3] === r.file && f[5] === r.sample;
  const open = findings.filter((f) => !reviewed.some((r) => isReviewed(f, r)));
  const stale = reviewed.filter((r) => !findings.some((f) => isReviewed(f, r)));
  for (const f of open) console.error(`  FINDING ${f[0]} (${f[1]}) ${f[3]}:${f[4]} ${f[5]} :: ${f[6]}`);
  for (const r of stale) console.error(`  STALE REVIEW ${r.check} ${r.file}: no longer reported; remove or update it`);
  if (open.length > 0 || stale.length > 0) {
    console.error(`electronegativity: ${open.length} unreviewed finding(s), ${stale.length} stale review(s)`);
    process.exit(1);
  }
  console.log(`electronegativity: ${findings.length} finding(s), all reviewed (test/security/electronegativity-reviewed.json); 0 open`);
};
function scanUntilWellFormed(attempts) {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    fs.rmSync(report, { force: true });
    const run = spawnSync(process.execPath, ['-r', path.join(__dirname, 'typescript4-resolver.cjs'), path.join(tool, 'dist', 'index.js'), '-i', stage, '-o', report, '-r'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 300_000,
    });
    if (run.status !== 0) {
      console.error(`electronegativity exited with ${run.status ?? run.signal}; treating the scan as failed.`);
      process.exit(1);
    }
    const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
    const rows = parseCsv(text).filter((r) => r.length > 1);
    const wellFormed = rows.length > 0 && rows[0][0] === 'issue' && rows.slice(1).every((r) => r.length === 8 && /^[A-Z_]+_CHECK$/.test(r[0]));
    if (wellFormed) return rows.slice(1);
    console.error(`electronegativity: report ${attempt} of ${attempts} was incomplete or malformed:\n${text.slice(0, 2000)}`);
  }
  console.error('electronegativity: no well-formed report; treating the scan as failed.');
  process.exit(1);
}

/** RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell.length > 0 || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

