// `npm run schema`: writes schema/schema.graphql, the subgraph SDL, from the code.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildModelgraphSchema } from './schema';

// npm runs scripts from the package root.
export const SCHEMA_FILE = path.join(process.cwd(), 'schema', 'schema.graphql');

export async function renderSchema(): Promise<string> {
  return `${printSubgraphSchema(await buildModelgraphSchema()).trim()}\n`;
}

if (require.main === module) {
  renderSchema()
    .then((sdl) => {
      fs.writeFileSync(SCHEMA_FILE, sdl);
      console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
