#!/usr/bin/env node
'use strict';
// `tec` from a checkout (npx tec …): runs the CLI bundle built by `npm run build:cli` (done by `npm install`).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'out', 'cli', 'tec.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('tec: the command line is not built yet. Run "npm run build:cli" in the project folder.\n');
  process.exit(1);
}
require(bundle);
