#!/usr/bin/env node
'use strict';
require('./build').ensureBuilt();
const { run } = require('../dist/cli/main.js');

run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  isTTY: Boolean(process.stderr.isTTY),
}).then((code) => {
  process.exitCode = code;
});
