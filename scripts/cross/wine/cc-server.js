// The compile server behind cc-proxy.c: runs the Linux cross compiler for Windows programs
// under Wine, which cannot start Linux programs themselves. Started by wine-node.sh for the
// length of one Wine run, on 127.0.0.1 only, and it answers only requests that carry the
// run's random token.
//
//   node cc-server.js COMPILER WINEPREFIX PORTFILE     (token in CLOSURE_FFI_CROSS_CC_TOKEN)
//
// Windows paths in the arguments and the working directory (C:\..., Z:\..., also after -I,
// -L, -o, -B, -isystem and inside -Wl,a,b) become Linux paths through the prefix's drive
// letters (WINEPREFIX/dosdevices); other arguments that hold a backslash and are not
// options get forward slashes (relative paths).
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');

const [compiler, prefix, portFile] = process.argv.slice(2);
const token = process.env.CLOSURE_FFI_CROSS_CC_TOKEN;
if (!compiler || !prefix || !portFile || !token) {
  process.stderr.write('usage: CLOSURE_FFI_CROSS_CC_TOKEN=... node cc-server.js COMPILER WINEPREFIX PORTFILE\n');
  process.exit(2);
}

const drives = new Map();
function driveRoot(letter) {
  const key = letter.toLowerCase();
  if (!drives.has(key)) {
    let root = null;
    try {
      root = fs.realpathSync(path.join(prefix, 'dosdevices', `${key}:`));
    } catch {
      // no such drive
    }
    drives.set(key, root);
  }
  return drives.get(key);
}

function toUnix(p) {
  const m = /^([A-Za-z]):[\\/]?(.*)$/s.exec(p);
  if (!m) return p.replace(/\\/g, '/');
  const root = driveRoot(m[1]);
  if (root === null) return p;
  return path.posix.join(root, m[2].replace(/\\/g, '/'));
}

const WINDOWS_PATH = /^[A-Za-z]:[\\/]/;
function translate(arg) {
  if (WINDOWS_PATH.test(arg)) return toUnix(arg);
  const opt = /^(-I|-L|-o|-B|-isystem|-include|-iquote|--sysroot=|-MF|-MT)(.+)$/s.exec(arg);
  if (opt && WINDOWS_PATH.test(opt[2])) return opt[1] + toUnix(opt[2]);
  if (arg.startsWith('-Wl,')) return arg.split(',').map((piece) => (WINDOWS_PATH.test(piece) ? toUnix(piece) : piece)).join(',');
  if (!arg.startsWith('-') && arg.includes('\\')) return arg.replace(/\\/g, '/');
  return arg;
}

function parse(buf) {
  const parts = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0) {
      parts.push(buf.subarray(start, i).toString('utf8'));
      start = i + 1;
    }
  }
  const [tok, cwd, count, ...args] = parts;
  if (tok !== token || args.length !== Number(count)) return null;
  return { cwd: toUnix(cwd), args: args.map(translate) };
}

function reply(socket, status, out, err) {
  if (socket.replied) return; // a spawn error may be followed by 'close'
  socket.replied = true;
  socket.end(
    Buffer.concat([Buffer.from(`${status}\0${out.length}\0`), out, Buffer.from(`${err.length}\0`), err]),
  );
}

// allowHalfOpen: the request ends with the client's FIN, and the reply still goes back.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => socket.destroy());
  socket.on('end', () => {
    const req = parse(Buffer.concat(chunks));
    if (!req) return socket.destroy();
    const child = spawn(compiler, req.args, { cwd: req.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [], err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', (e) => reply(socket, 127, Buffer.alloc(0), Buffer.from(`cc-server: ${compiler}: ${e.message}\n`)));
    child.on('close', (code, signal) => reply(socket, code ?? 128, Buffer.concat(out), Buffer.concat(err)));
  });
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(`${portFile}.tmp`, String(server.address().port));
  fs.renameSync(`${portFile}.tmp`, portFile);
});
// Ends with the run that started it (wine-node.sh kills it), or when its parent is gone.
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.exit(0);
  }
}, 2000).unref();
