#!/usr/bin/env node
// `node scripts/build-once.js [server|ui|all]`: builds what is stale, and nothing else.
//
// `npm start`, `npm run admin:token` and `npm run audit:verify` call it before they run the compiled server, so
// that a restart or a command does not pay for tsc and vite when no source changed. What a build read is recorded
// as a fingerprint (sha256 of each input file's path, size and mtime, sorted) in dist/ after the build succeeded;
// a build is stale when its inputs' fingerprint differs from the recorded one, or its output is missing.
//
//   server  tsc -p tsconfig.build.json → dist/   inputs: what tsconfig.build.json includes (and the configs it
//           extends), every other file of the repository the program read (tsc --listFilesOnly before the build:
//           bench/ imports test/support/, say), package.json, package-lock.json and node_modules/.package-lock.json
//           (the installed tree)
//   ui      vite build → dist/ui                  inputs: ui/ (sources, index.html, public/, vite and ts configs),
//           package.json, package-lock.json and node_modules/.package-lock.json
//
// Up to date: no output, exit 0. Stale: one line on stderr saying why, the build's own output, and exit 1 if the
// build fails (no fingerprint is recorded then, so the next run builds again). Processes starting together take
// turns (a lock in dist/), so one builds and the others find it done. Plain CommonJS, no dependency, Node 20+.
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const process = require('node:process');
const { setTimeout: sleep } = require('node:timers/promises');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const lockDir = path.join(dist, '.build-once.lock');

/** Files whose change may change any build: the dependencies declared, and those installed. */
const DEPENDENCIES = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'];

/** Reads a tsconfig (JSON with comments and trailing commas). */
function readTsconfig(file) {
  const text = fs.readFileSync(file, 'utf8');
  // Strings are kept as they are; comments outside strings go, then trailing commas.
  const stripped = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, str) => str ?? '').replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(stripped);
}

/**
 * The server build's inputs, read from tsconfig.build.json: every config file in its `extends` chain, and the
 * folders and files its `include` names (from the nearest config that has one; a glob counts from its fixed part).
 */
function serverInputs() {
  const configs = [];
  let include;
  let file = path.join(root, 'tsconfig.build.json');
  while (file) {
    configs.push(path.relative(root, file));
    const config = readTsconfig(file);
    if (include === undefined && Array.isArray(config.include)) {
      include = config.include.map((entry) => path.relative(root, path.resolve(path.dirname(file), entry.split('*')[0] || '.')));
    }
    if (Array.isArray(config.files)) {
      for (const entry of config.files) configs.push(path.relative(root, path.resolve(path.dirname(file), entry)));
    }
    const parent = typeof config.extends === 'string' ? config.extends : undefined;
    file = parent?.startsWith('.') ? path.resolve(path.dirname(file), parent.endsWith('.json') ? parent : `${parent}.json`) : undefined;
    if (parent && !file) configs.push(path.join('node_modules', parent)); // a package's config: covered by the installed tree
  }
  // tsc includes the whole folder of the project when nothing is named.
  return [...configs, ...(include ?? ['.']), ...DEPENDENCIES];
}

function binOf(pkg, name) {
  const dir = path.join(root, 'node_modules', pkg);
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) return undefined;
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  return path.join(dir, typeof bin === 'string' ? bin : bin[name]);
}

const TARGETS = {
  server: {
    label: 'the server',
    inputs: serverInputs,
    output: 'dist/src/main.js',
    stamp: path.join(dist, '.build-once-server.json'),
    command: () => [binOf('typescript', 'tsc'), '-p', 'tsconfig.build.json'],
    /** The files of the repository outside `inputs` that the program reads (imports of imports), as tsc lists them. */
    read: () =>
      execFileSync(process.execPath, [binOf('typescript', 'tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      })
        .split('\n')
        .filter(Boolean)
        .map((file) => path.relative(root, path.resolve(root, file)))
        .filter((file) => !file.startsWith('..') && !file.split(path.sep).includes('node_modules')),
    missing: 'typescript',
  },
  ui: {
    label: 'the console',
    inputs: () => ['ui', ...DEPENDENCIES],
    output: 'dist/ui/index.html',
    stamp: path.join(dist, '.build-once-ui.json'),
    command: () => [binOf('vite', 'vite'), 'build', '--config', 'ui/vite.config.mts', '--logLevel', 'warn'],
    // ui/src imports nothing outside ui/ (no alias in its vite config).
    read: () => [],
    missing: 'vite',
  },
};

/** Folders never read as inputs when met inside an input folder. */
const SKIPPED = new Set(['node_modules', 'dist', '.git']);

/** sha256 over the sorted lines "path size mtime" of every file under `inputs` (a missing one counts as such). */
function fingerprint(inputs) {
  const lines = [];
  const visit = (rel) => {
    let stat;
    try {
      stat = fs.statSync(path.join(root, rel));
    } catch {
      lines.push(`${rel}\0missing`);
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(path.join(root, rel))) {
        if (!SKIPPED.has(entry)) visit(path.join(rel, entry));
      }
    } else {
      lines.push(`${rel}\0${stat.size}\0${stat.mtimeMs}`);
    }
  };
  for (const input of new Set(inputs)) visit(input);
  lines.sort();
  return { hash: crypto.createHash('sha256').update(lines.join('\n')).digest('hex'), files: lines.length };
}

/** Why `target` must be built, or null when its output is up to date with the inputs its last build recorded. */
function staleness(target) {
  if (!fs.existsSync(path.join(root, target.output))) return `${target.output} missing`;
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(target.stamp, 'utf8'));
  } catch {
    return 'no build recorded yet';
  }
  const extra = Array.isArray(recorded.read) ? recorded.read : [];
  return recorded.fingerprint === fingerprint([...target.inputs(), ...extra]).hash ? null : 'sources changed';
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Takes the build lock in dist/, waiting while another live process holds it. */
async function lock() {
  fs.mkdirSync(dist, { recursive: true });
  let said = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    } catch {
      // Being written, or left without a pid by a process killed at that instant: judged by its age below.
    }
    const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if ((Number.isInteger(holder) && holder > 0 && !alive(holder)) || (!(holder > 0) && age > 5000)) {
      fs.rmSync(lockDir, { recursive: true, force: true }); // its holder died
      continue;
    }
    if (!said) process.stderr.write(`waiting for another build (process ${holder}) to finish…\n`);
    said = true;
    await sleep(200);
  }
}

function unlock() {
  try {
    if (Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8')) === process.pid) fs.rmSync(lockDir, { recursive: true, force: true });
  } catch {
    // Not held.
  }
}

function run(argv) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: 'inherit' });
    child.once('error', (err) => {
      process.stderr.write(`${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function build(name) {
  const target = TARGETS[name];
  let stale = staleness(target);
  if (!stale) return 0;
  await lock();
  try {
    stale = staleness(target); // another process may have built it meanwhile
    if (!stale) return 0;
    const command = target.command();
    if (!command[0]) {
      process.stderr.write(`cannot build ${target.label}: ${target.missing} is not installed (run npm install)\n`);
      return 1;
    }
    process.stderr.write(`building ${target.label} (${stale})…\n`);
    fs.rmSync(target.stamp, { force: true });
    // Listed and fingerprinted before the build: a source saved while it runs makes the next run build again.
    const inputs = target.inputs();
    const within = (file) => inputs.some((input) => input === '.' || file === input || file.startsWith(input + path.sep));
    let read = [];
    try {
      read = target.read().filter((file) => !within(file));
    } catch {
      // The build below fails the same way, and says why.
    }
    const print = fingerprint([...inputs, ...read]);
    const code = await run(command);
    if (code !== 0) {
      process.stderr.write(`building ${target.label} failed (exit ${code})\n`);
      return code;
    }
    const stamp = { fingerprint: print.hash, files: print.files, read, builtAt: new Date().toISOString() };
    fs.writeFileSync(`${target.stamp}.tmp`, `${JSON.stringify(stamp)}\n`);
    fs.renameSync(`${target.stamp}.tmp`, target.stamp);
    return 0;
  } finally {
    unlock();
  }
}

async function main() {
  const which = process.argv[2] ?? 'all';
  const names = which === 'all' ? ['server', 'ui'] : [which];
  if (process.argv.length > 3 || !names.every((name) => name in TARGETS)) {
    process.stderr.write('usage: node scripts/build-once.js [server|ui|all]\n');
    return 2;
  }
  for (const name of names) {
    const code = await build(name);
    if (code !== 0) return code;
  }
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    unlock();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    unlock();
    process.stderr.write(`build-once: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);
