/**
 * `npm run test:unit`: the inner loop. The pure rules (test/unit) and the checks of generated files and sources
 * (test/artifacts), with no database: no global set-up, so no PostgreSQL is started or needed.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/unit', '<rootDir>/test/artifacts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
