'use strict';
// Builds the client (tsc, src/ → dist/) when its sources changed since the last build — in a clone, on the first
// command and after an edit; a packed client has no src/ and ships dist/ (npm pack builds it the same way, when
// stale). `node bin/build.js --force` always builds.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const stampFile = path.join(root, 'dist', '.sources');

/** Every input of the build, by path, size and modification time: cheap to read (a few ms), changes with any edit. */
function fingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = fs.statSync(full);
        hash.update(`${path.relative(root, full)}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  walk(path.join(root, 'src'));
  for (const file of ['tsconfig.json', 'package.json']) hash.update(`${file}\0${fs.readFileSync(path.join(root, file))}\n`);
  return hash.digest('hex');
}

const fresh = (now) => fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === now;

/**
 * One build at a time (pipelines run commands in parallel; the test runner does): a lock folder beside dist/, taken
 * over when its holder left it more than two minutes ago (a build takes seconds).
 */
function withLock(run) {
  const lock = path.join(root, '.build.lock');
  for (const started = Date.now(); ;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    if (Date.now() - started > 180_000) throw new Error(`waited 3 minutes for another build of the client: remove ${lock} if none runs`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  try {
    run();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function ensureBuilt(force = false) {
  if (!fs.existsSync(path.join(root, 'src'))) return;
  if (!force && fresh(fingerprint())) return;
  withLock(() => {
    // Built by another process while this one waited.
    const now = fingerprint();
    if (!force && fresh(now)) return;
    process.stderr.write('modelgraph: building the client (its sources changed)…\n');
    // Clean first, so nothing of a file since removed from src/ stays (or is packed).
    fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: ['ignore', 2, 2] });
    fs.writeFileSync(stampFile, now);
  });
}

module.exports = { ensureBuilt };

if (require.main === module) ensureBuilt(process.argv.includes('--force'));
