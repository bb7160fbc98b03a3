// Install step (npm's "install" script, and `npm run build:native` with --from-source).
//
// The core bridge (closure_ffi.node) is plain N-API, so one binary serves every Node >= 20,
// Bun and Deno: a packed release carries it prebuilt for linux-x64 and nothing is compiled.
// Where there is no prebuilt binary (another platform, a git checkout) it is built from
// source with node-gyp. The V8-direct accelerator (closure_ffi_v8) is compiled for the
// installing Node's module ABI when a compiler and Node's headers are there; if not, the
// install still succeeds and the bridge uses N-API (see src/native/bridge.ts).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const fromSource = process.argv.includes('--from-source') || !!process.env.CLOSURE_FFI_BUILD_FROM_SOURCE;
const prebuilds = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const accelName = `closure_ffi_v8.abi${process.versions.modules}.node`;

function log(message) {
  process.stderr.write(`closure-ffi: ${message}\n`);
}

/** Runs node-gyp (npm's own during npm scripts, else the one on PATH) in `cwd`. */
function nodeGyp(args, cwd, quiet) {
  const gyp = process.env.npm_config_node_gyp;
  const [cmd, argv] = gyp ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
  const r = spawnSync(cmd, argv, { cwd, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function installCore() {
  const prebuilt = path.join(prebuilds, 'closure_ffi.napi.node');
  if (!fromSource && fs.existsSync(prebuilt)) {
    log(`using the prebuilt bridge ${path.relative(root, prebuilt)}`);
    return;
  }
  if (!nodeGyp(['rebuild'], root, false).ok) {
    log('building the native bridge failed; a C compiler, make and python3 are needed to build it from source');
    process.exit(1);
  }
}

function installAccelerator() {
  const isNode = process.versions.bun === undefined && process.versions.deno === undefined;
  if (!isNode) return;
  if (!fromSource && fs.existsSync(path.join(prebuilds, accelName))) return;
  const dir = path.join(root, 'native', 'v8-accelerator');
  const built = nodeGyp(['rebuild'], dir, true);
  if (!built.ok) {
    log('the V8-direct accelerator could not be built here (needs a C++ compiler and Node headers); ' +
      'callbacks use the portable N-API entry');
    return;
  }
  const out = path.join(root, 'build', 'Release');
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(path.join(dir, 'build', 'Release', 'closure_ffi_v8.node'), path.join(out, accelName));
}

installCore();
installAccelerator();
