import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderSchema } from '../../src/emit-schema';

const root = path.resolve(__dirname, '../..');
const GENERATED = 'test/generated/graphql.ts';

test('schema/schema.graphql is what the code emits (run `npm run schema` when this fails)', async () => {
  const committed = fs.readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8');
  expect(await renderSchema()).toBe(committed);
});

test(`${GENERATED} is what codegen makes of schema/operations (run \`npm run codegen\` when this fails)`, () => {
  // The codegen CLI runs in its own process (its plugins are ES modules, which jest's runtime cannot load),
  // with the project's config pointed at a scratch file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-codegen-'));
  try {
    const out = path.join(dir, 'graphql.ts');
    const config = fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8');
    expect(config).toContain(`${GENERATED}:`);
    fs.writeFileSync(path.join(dir, 'codegen.yml'), config.replace(`${GENERATED}:`, `${JSON.stringify(out)}:`));
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', path.join(dir, 'codegen.yml')],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(root, GENERATED), 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
