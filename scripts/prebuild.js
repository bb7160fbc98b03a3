// Before packing: copies the native binaries built here into prebuilds/<platform>-<arch>/,
// so installing the package needs no compiler on this platform (see scripts/install.js).
// The core bridge is N-API and serves every runtime; the accelerator serves only Node
// with the module ABI in its name.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const release = path.join(root, 'build', 'Release');
const out = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const core = path.join(release, 'closure_ffi.node');
if (!fs.existsSync(core)) {
  process.stderr.write('prebuild: build/Release/closure_ffi.node is missing; run npm run build:native first\n');
  process.exit(1);
}
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(core, path.join(out, 'closure_ffi.napi.node'));
for (const f of fs.readdirSync(release)) if (/^closure_ffi_v8\.abi\d+\.node$/.test(f)) fs.copyFileSync(path.join(release, f), path.join(out, f));
process.stderr.write(`prebuild: ${fs.readdirSync(out).join(', ')} in ${path.relative(root, out)}\n`);
