import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderSchema } from '../../src/emit-schema';

const root = path.resolve(__dirname, '../..');

test('schema/schema.graphql is what the code emits (run `npm run schema` when this fails)', async () => {
  const committed = fs.readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8');
  expect(await renderSchema()).toBe(committed);
});

/** Every file codegen.yml generates (the tests', the console's and the client's typed operations): its `generates:` keys. */
const config = fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8');
const GENERATED = [...config.matchAll(/^ {2}([\w./-]+\.ts):$/gm)].map((m) => m[1]);

test('codegen.yml generates the typed operations of the tests, of the console and of the client', () => {
  expect(GENERATED).toEqual(['test/generated/graphql.ts', 'ui/src/generated/graphql.ts', 'clients/typescript/src/generated/graphql.ts']);
});

test(`${GENERATED.join(' and ')} are what codegen makes of the schema and the operations (run \`npm run codegen\` when this fails)`, () => {
  // The codegen CLI runs in its own process (its plugins are ES modules, which jest's runtime cannot load),
  // with the project's config pointed at scratch files.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-codegen-'));
  try {
    const scratch = (file: string) => path.join(dir, file.replace(/\//g, '_'));
    let redirected = config;
    for (const file of GENERATED) redirected = redirected.replace(`  ${file}:`, `  ${JSON.stringify(scratch(file))}:`);
    fs.writeFileSync(path.join(dir, 'codegen.yml'), redirected);
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', path.join(dir, 'codegen.yml')],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
    for (const file of GENERATED) {
      expect({ file, text: fs.readFileSync(scratch(file), 'utf8') }).toEqual({
        file,
        text: fs.readFileSync(path.join(root, file), 'utf8'),
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
