// Before packing: copies the native binaries built here into prebuilds/<platform>-<arch>/,
// so installing the package needs no compiler on the platforms it carries (see
// scripts/install.js). The core bridge is N-API and serves every runtime; the accelerator
// serves only Node with the module ABI in its name.
//
// The running platform's binaries come from build/Release (or $CLOSURE_FFI_BINARY_DIR, where
// the cross runner puts them). Other targets' come from build-cross/<target>/ when they were
// built there (`scripts/cross/run.sh linux-arm64 -- true` builds the arm64 bridge), so a
// release packed on x86-64 Linux carries linux-arm64 too.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const here = `${process.platform}-${process.arch}`;

/** Copies the bridge (and any accelerators) of directory `from` into prebuilds/<target>/; false if `from` has no bridge. */
function carry(target, from) {
  const core = path.join(from, 'closure_ffi.node');
  if (!fs.existsSync(core)) return false;
  const out = path.join(root, 'prebuilds', target);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(core, path.join(out, 'closure_ffi.napi.node'));
  for (const f of fs.readdirSync(from)) if (/^closure_ffi_v8\.abi\d+\.node$/.test(f)) fs.copyFileSync(path.join(from, f), path.join(out, f));
  process.stderr.write(`prebuild: ${fs.readdirSync(out).join(', ')} in ${path.relative(root, out)}\n`);
  return true;
}

const local = process.env.CLOSURE_FFI_BINARY_DIR || path.join(root, 'build', 'Release');
if (!carry(here, local)) {
  process.stderr.write(`prebuild: ${path.join(local, 'closure_ffi.node')} is missing; run npm run build:native first\n`);
  process.exit(1);
}
const cross = path.join(root, 'build-cross');
if (fs.existsSync(cross))
  for (const target of fs.readdirSync(cross)) if (target !== here) carry(target, path.join(cross, target));
