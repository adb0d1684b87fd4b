// `node dist/bench/profile-summary.js <file.cpuprofile> [rows]`: where a V8 CPU profile spent its time,
// by function (self time) and by package, so a benchmark's profile can be read without a browser.
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const [file, rowsArg] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const total = profile.samples.length;
const where = (url: string): string => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/src/')) return 'modelgraph';
  if (url.startsWith('node:')) return 'node';
  return url ? 'other' : '(v8)';
};
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${where(url)}${url ? `:${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + node.hitCount);
  byPackage.set(where(url), (byPackage.get(where(url)) ?? 0) + node.hitCount);
}
// Inclusive time: a function's own samples and those of everything it called (counted once per stack).
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const inclusive = new Map<string, number>();
const visit = (node: ProfileNode, onStack: Set<string>): number => {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${where(url)}${url ? `:${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
  let hits = node.hitCount;
  const fresh = !onStack.has(name);
  if (fresh) onStack.add(name);
  for (const child of node.children ?? []) hits += visit(byId.get(child) as ProfileNode, onStack);
  if (fresh) {
    onStack.delete(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + hits);
  }
  return hits;
};
visit(profile.nodes[0], new Set());

const print = (title: string, map: Map<string, number>, rows: number) => {
  console.log(`\n${title} (share of ${total} samples)`);
  for (const [name, hits] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print('by package', byPackage, 15);
print('by function (self time)', byFunction, Number(rowsArg ?? 40));
print('by function (inclusive)', inclusive, Number(rowsArg ?? 40));
