import fs from 'node:fs';
import path from 'node:path';

/**
 * One authorization point: every right, on a model or over the registry, is decided by the access module
 * (AccessService.authorize, authorizeEverywhere, authorizeRegistry) and every service asks it. Nothing else in the
 * server compares a caller's role, and no resolver decorator decides anything: a check written beside the point, or
 * a decorator standing in for it, is what this finds.
 */
const SRC = path.resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Where deciding by role is the job: the access module, and the role ranking itself. */
const THE_POINT = [path.join(SRC, 'modules/access') + path.sep, path.join(SRC, 'common/role.ts')];

const DECIDING = [
  { what: 'a resolver decorator', pattern: /@Authorized\(/ },
  { what: "a comparison of a caller's role", pattern: /\b(caller|principal)\.role\s*[!=]==|[!=]==\s*\w*\.?(caller|principal)\.role\b/ },
  { what: "a ranking of a caller's role", pattern: /hasRole\(\s*[\w.]*(caller|principal)\.role/ },
];

test("no file but the access module decides by a caller's role", () => {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    if (THE_POINT.some((p) => file.startsWith(p) || file === p)) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const { what, pattern } of DECIDING) if (pattern.test(line)) found.push(`${path.relative(SRC, file)}:${i + 1}: ${what}`);
      });
  }
  expect(found).toEqual([]);
});

test('no HTTP route declares a role of its own: its service authorizes', () => {
  const routes = sources(SRC).filter((f) => /\.routes?\.ts$/.test(f));
  expect(routes.length).toBeGreaterThan(0);
  for (const file of routes) expect(fs.readFileSync(file, 'utf8')).not.toMatch(/\brole:\s*Role\./);
});
