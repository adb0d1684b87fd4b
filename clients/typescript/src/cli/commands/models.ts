import { type Command, integer, oneOf, optional, required } from '../command';

const RISK = ['LOW', 'MEDIUM', 'HIGH'] as const;

export const modelsCreate: Command = {
  name: 'models create',
  summary: 'register a model (a name, the team that owns it, its risk tier)',
  usage: '<name> --owner <team> [--risk LOW|MEDIUM|HIGH] [--description <text>]',
  options: { owner: { type: 'string' }, risk: { type: 'string' }, description: { type: 'string' } },
  positionals: 1,
  async run({ values, positionals: [name] }, { client }) {
    const risk = optional(values, 'risk');
    const model = await client.createModel({
      name,
      owner: required(values, 'owner'),
      riskTier: risk ? oneOf(risk, RISK, '--risk') : undefined,
      description: optional(values, 'description'),
    });
    return { json: model, text: `created model ${model.name} (${model.id}), owned by ${model.owner}, risk ${model.riskTier}` };
  },
};

export const modelsList: Command = {
  name: 'models list',
  summary: 'the models your token may see, with their latest version',
  usage: '[--first <n, at most 500>] [--after <cursor>]',
  options: { first: { type: 'string' }, after: { type: 'string' } },
  async run({ values }, { client }) {
    const page = await client.models({ first: integer(values, 'first', { min: 1, max: 500 }), after: optional(values, 'after') });
    const rows = page.edges.map(({ node }) => ({
      name: node.name,
      owner: node.owner,
      riskTier: node.riskTier,
      status: node.status,
      latestVersion: node.latestVersion ? { version: node.latestVersion.version, stage: node.latestVersion.stage } : null,
    }));
    const text = [
      ...table(
        ['NAME', 'OWNER', 'RISK', 'LATEST'],
        rows.map((r) => [r.name, r.owner, r.riskTier, r.latestVersion ? `${r.latestVersion.version} ${r.latestVersion.stage}` : '-']),
      ),
      `${page.totalCount} model${page.totalCount === 1 ? '' : 's'}${page.pageInfo.hasNextPage ? ` (more: --after ${page.pageInfo.endCursor})` : ''}`,
    ].join('\n');
    return {
      json: { totalCount: page.totalCount, models: rows, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage },
      text,
    };
  },
};

export const modelsShow: Command = {
  name: 'models show',
  summary: 'a model and its latest 20 versions',
  usage: '<name>',
  options: {},
  positionals: 1,
  async run({ positionals: [name] }, { client }) {
    const model = await client.model({ name });
    const versions = model.versions.edges.map(({ node }) => node);
    const text = [
      `${model.name} (${model.id})`,
      `owner ${model.owner}, risk ${model.riskTier}, ${model.status}${model.description ? `: ${model.description}` : ''}`,
      `${model.versions.totalCount} version${model.versions.totalCount === 1 ? '' : 's'}`,
      ...table(
        ['VERSION', 'STAGE', 'ARTIFACT', 'REGISTERED BY', 'ID'],
        versions.map((v) => [String(v.version), v.stage, v.artifact.status, v.createdBy, v.id]),
      ),
    ].join('\n');
    const { versions: _connection, latestVersion: _latest, ...rest } = model;
    return { json: { ...rest, versionCount: model.versions.totalCount, versions }, text };
  },
};

/** Columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return [];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}
