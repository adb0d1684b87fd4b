/**
 * The variables src/config.ts reads: `env.NAME`, `env['NAME']`, and the helpers called as `int(env, 'NAME', …)`,
 * `oneOf(env, 'NAME', …)`, `list(env, 'NAME')`, `postgresUrl(env, 'NAME')`. Comments and messages are left out first,
 * so a name only mentioned there (an error message, a doc comment) does not count as read.
 */
export function configVariables(source: string): Set<string> {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s\/\/.*$/gm, '');
  const names = new Set<string>();
  for (const m of code.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]);
  for (const m of code.matchAll(/\benv\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g)) names.add(m[1]);
  for (const m of code.matchAll(/\b\w+\(\s*env,\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(m[1]);
  return names;
}
