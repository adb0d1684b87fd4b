// `npm run lint` runs this: the direction of every import in src/ (and that the client in clients/typescript stands
// alone), checked.
// Layers: main.ts and composition.ts (the composition root) → modules/ → db/, graphql/, server/, common/.
const fs = require('node:fs');
const path = require('node:path');

/** The module folders in dependency order, read from src/modules/index.ts: that list is the one source of truth. */
function moduleOrder() {
  const source = fs.readFileSync(path.join(__dirname, 'src/modules/index.ts'), 'utf8');
  const folderOf = new Map([...source.matchAll(/import \{ (\w+) \} from '\.\/([\w-]+)';/g)].map((m) => [m[1], m[2]]));
  const list = /export const modules = \[([^\]]*)\]/.exec(source)?.[1];
  if (!list) throw new Error('.dependency-cruiser.cjs: no `export const modules = [...]` in src/modules/index.ts');
  return list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => {
      const folder = folderOf.get(name);
      if (!folder) throw new Error(`.dependency-cruiser.cjs: ${name} is not imported from a module folder in src/modules/index.ts`);
      return folder;
    });
}

const order = moduleOrder();
const downwardOnly = order.slice(0, -1).map((name, i) => ({
  name: `module-${name}-imports-downward`,
  severity: 'error',
  comment: `${name} may import only the modules listed before it in src/modules/index.ts (${order.slice(0, i).join(', ') || 'none'})`,
  from: { path: `^src/modules/${name}/` },
  to: { path: `^src/modules/(${order.slice(i + 1).join('|')})/` },
}));

/**
 * A module split into sub-folders (monitoring/alerts, …) names them in its `<module>.module.ts`, in a line
 * "Sub-folders, in dependency order: a, b, c.": a sub-folder imports only those listed before it, and the files at the
 * top of the module that the sub-folders share import none of them (the module file and its gauges compose them).
 */
const subFolderRules = order.flatMap((name) => {
  const file = path.join(__dirname, 'src/modules', name, `${name}.module.ts`);
  const listed = fs.existsSync(file) && /Sub-folders, in dependency order: ([a-z, -]+)\./.exec(fs.readFileSync(file, 'utf8'))?.[1];
  if (!listed) return [];
  const subs = listed.split(',').map((sub) => sub.trim());
  return [
    ...subs.slice(0, -1).map((sub, i) => ({
      name: `${name}-${sub}-imports-downward`,
      severity: 'error',
      comment: `${name}/${sub}/ may import only the sub-folders listed before it in ${name}.module.ts (${subs.slice(0, i).join(', ') || 'none'})`,
      from: { path: `^src/modules/${name}/${sub}/` },
      to: { path: `^src/modules/${name}/(${subs.slice(i + 1).join('|')})/` },
    })),
    {
      name: `${name}-shared-files-import-no-sub-folder`,
      severity: 'error',
      comment: `What ${name}/'s sub-folders share at its top imports none of them (${name}.module.ts and ${name}.gauges.ts compose them, index.ts offers them)`,
      from: { path: `^src/modules/${name}/[^/]+\\.ts$`, pathNot: `^src/modules/${name}/(${name}\\.(module|gauges)|index)\\.ts$` },
      to: { path: `^src/modules/${name}/[^/]+/` },
    },
  ];
});

// Pure rules: every `*.rules.ts` and `*.enums.ts` (the stage machine, gates, policy evaluation, validation, drift
// statistics, hashing, signatures), and the shared helpers in common/ that rules use. They are unit-tested alone.
const PURE = ['^src/modules/.+\\.(rules|enums)\\.ts$', '^src/common/(address|canonical-json|errors|role|text|transition-table|uuid)\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, at any level (type-only imports count too).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'infrastructure-imports-no-module',
      severity: 'error',
      comment: 'db/, graphql/, server/ and common/ receive the modules from the composition root; they never import one.',
      from: { path: '^src/(db|graphql|server|common)/' },
      to: { path: '^src/(modules/|composition\\.ts$|main\\.ts$)' },
    },
    {
      name: 'modules-do-not-import-the-root',
      severity: 'error',
      comment: 'Only main.ts, emit-schema.ts and tests use the composition root.',
      from: { path: '^src/modules/' },
      to: { path: '^src/(composition|main|emit-schema)\\.ts$' },
    },
    {
      name: 'pure-rules-stay-pure',
      severity: 'error',
      comment:
        "Pure rules import nothing from the database or GraphQL layers, no entity, service, store, resolver or schema type, and no module's index (it brings those along).",
      from: { path: PURE },
      to: {
        path: [
          '^src/(db|graphql|server)/',
          '\\.(entity|service|store|resolver|types|loaders|module)\\.ts$',
          '^src/modules/[^/]+/index\\.ts$',
          'node_modules/(typeorm|type-graphql|graphql|graphql-scalars|pg|@apollo|dataloader)/',
        ],
      },
    },
    {
      name: 'modules-enter-by-the-front-door',
      severity: 'error',
      comment:
        "A module uses another only through that module's index.ts (what it offers on purpose), never a file inside it. Pure rules may import another module's pure rules directly (its index would bring services along).",
      from: { path: '^src/modules/([^/]+)/', pathNot: PURE },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'pure-rules-use-other-modules-pure-rules',
      severity: 'error',
      comment: "A pure rule uses another module only through that module's pure rules and enums.",
      from: { path: '^src/modules/([^/]+)/.+\\.(rules|enums)\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/.+\\.(rules|enums)\\.ts$'] },
    },
    {
      name: 'modules-do-not-enter-their-own-front-door',
      severity: 'error',
      comment: "Inside a module, files import each other directly: a module's index.ts is for the others.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/$1/index\\.ts$' },
    },
    {
      name: 'the-client-stands-alone',
      severity: 'error',
      comment:
        'The client (clients/typescript) is published on its own: it speaks to the server over HTTP and websockets only, and imports nothing of the server, the tests or the console (its types come from the schema, by codegen).',
      from: { path: '^clients/typescript/' },
      to: { path: '^(src|test|ui|bench)/' },
    },
    {
      name: 'the-server-does-not-import-the-client',
      severity: 'error',
      comment: 'The server does not depend on its own client.',
      from: { path: '^(src|ormconfig)' },
      to: { path: '^clients/' },
    },
    ...downwardOnly,
    ...subFolderRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules|coverage)/' },
  },
};
