#!/usr/bin/env node
// Finds code-signing secrets in a git work tree: certificate/key files (.p12, .pfx, .p8, provisioning profiles),
// PEM private keys outside test/, and literal values given to the signing variables electron-builder reads
// (CSC_KEY_PASSWORD, CSC_LINK, APPLE_APP_SPECIFIC_PASSWORD, ...). Signing is configured from the environment only;
// this keeps it that way. Checks tracked files plus untracked ones git does not ignore (what the next commit could add).
//
// Usage: node resources/packaging/find-signing-secrets.mjs [repoDir]   exits 1 and lists findings when there are any.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECRET_FILE = /\.(p12|pfx|p8|keychain|keychain-db|mobileprovision|provisionprofile|snk|pvk|spc)$/i;
const SIGNING_VARIABLES = [
  'CSC_KEY_PASSWORD',
  'WIN_CSC_KEY_PASSWORD',
  'CSC_LINK',
  'WIN_CSC_LINK',
  'APPLE_APP_SPECIFIC_PASSWORD',
  'APPLE_API_KEY',
  'APPLE_API_KEY_ID',
  'APPLE_API_ISSUER',
  'AZURE_CLIENT_SECRET',
];
// NAME=value, NAME: value, "NAME": "value"
const ASSIGNMENT = new RegExp(String.raw`["']?\b(${SIGNING_VARIABLES.join('|')})\b["']?[ \t]*[:=][ \t]*([^\r\n#]*)`, 'g');
// A value that only points somewhere else starts with a reference: a CI expression (`${{ secrets.X }}`), a shell or
// batch variable (`$X`, `${X}`, `$RUNNER_TEMP/key.p8`, `%X%`), an env lookup; or there is no value at all.
const REFERENCE = /^(?:$|\$\{\{|\$\{?[A-Za-z_]|%[A-Za-z_]\w*%|process\.env\b|env\.\w)/;
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----\s*([A-Za-z0-9+/=\s:,-]*?)-----END/g;
const MAX_SCANNED_BYTES = 2 * 1024 * 1024;

function listFiles(repoDir) {
  const output = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoDir, encoding: 'utf8' });
  return [...new Set(output.split('\0').filter(Boolean))];
}

/** @returns {{ file: string, line?: number, reason: string }[]} */
export function findSigningSecrets(repoDir) {
  const findings = [];
  for (const file of listFiles(repoDir)) {
    const path = join(repoDir, file);
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    if (SECRET_FILE.test(file)) {
      findings.push({ file, reason: 'certificate or signing key file' });
      continue;
    }
    if (statSync(path).size > MAX_SCANNED_BYTES) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes('\0')) continue; // binary
    const lineOf = (index) => text.slice(0, index).split('\n').length;
    for (const match of text.matchAll(ASSIGNMENT)) {
      const value = match[2].trim().replace(/^["']/, '').replace(/["'][,;]?$/, '');
      if (!REFERENCE.test(value)) {
        findings.push({ file, line: lineOf(match.index), reason: `${match[1]} is given a literal value` });
      }
    }
    // Short key-shaped strings are test data for redaction and parsing; a real key has a body of hundreds of chars.
    // Keys under test/ are test fixtures, not signing keys.
    if (!file.startsWith('test/') && !/(^|\/)test\//.test(file)) {
      for (const match of text.matchAll(PRIVATE_KEY)) {
        if (match[2].replace(/\s/g, '').length >= 200) {
          findings.push({ file, line: lineOf(match.index), reason: `PEM ${match[1]}PRIVATE KEY` });
        }
      }
    }
  }
  return findings;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoDir = resolve(process.argv[2] ?? '.');
  const findings = findSigningSecrets(repoDir);
  for (const finding of findings) console.error(`${finding.file}${finding.line ? `:${finding.line}` : ''}: ${finding.reason}`);
  if (findings.length > 0) {
    console.error(`\n${findings.length} signing secret(s) in the repository. Signing credentials belong in CI secrets / the environment only.`);
    process.exit(1);
  }
  console.log('No signing secrets in the repository.');
}
