// The DataSource the typeorm CLI uses (`npm run typeorm -- migration:show`). Needs DATABASE_URL.
import 'reflect-metadata';
import { createModelgraphDataSource } from './src/composition';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('ormconfig: set DATABASE_URL to the PostgreSQL server whose migrations you manage');

export default createModelgraphDataSource({ url });
