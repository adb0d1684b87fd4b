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

function ensureBuilt(force = false) {
  if (!fs.existsSync(path.join(root, 'src'))) return;
  const now = fingerprint();
  if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === now) return;
  process.stderr.write('modelgraph: building the client (its sources changed)…\n');
  // Clean first, so nothing of a file since removed from src/ stays (or is packed).
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: ['ignore', 2, 2] });
  fs.writeFileSync(stampFile, now);
}

module.exports = { ensureBuilt };

if (require.main === module) ensureBuilt(process.argv.includes('--force'));
