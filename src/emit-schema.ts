// `npm run schema`: writes schema/schema.graphql, the subgraph SDL, from the code.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema } from 'graphql';
import { buildSchema } from './composition';

// npm runs scripts from the package root.
export const SCHEMA_FILE = path.join(process.cwd(), 'schema', 'schema.graphql');

export async function renderSchema(): Promise<string> {
  // Sorted, so that the file does not reshuffle when modules or fields are added in another order.
  return `${printSubgraphSchema(lexicographicSortSchema(await buildSchema())).trim()}\n`;
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
