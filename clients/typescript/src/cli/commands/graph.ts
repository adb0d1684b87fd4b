import type { ClientLineageQuery, LineageDirection } from '../../generated/graphql';
import { type Command, integer, isUuid, oneOf, optional, resolveVersion, UsageError } from '../command';
import { parseDuration } from '../duration';

type Graph = ClientLineageQuery['lineage'];

/** A Mermaid flowchart of the graph, ready for a README or a pull request: nodes by kind and name, edges by relation. */
export function mermaidOf(graph: Graph): string {
  const nodes = ordered(graph);
  const ids = new Map(nodes.map(({ node }, i) => [node.id, `n${i}`]));
  const label = (text: string) => text.replace(/"/g, '#quot;');
  return [
    'flowchart LR',
    ...nodes.map(({ node }) => `  ${ids.get(node.id)}["${label(`${node.kind}: ${node.name}`)}"]`),
    ...graph.edges
      .filter((e) => ids.has(e.from) && ids.has(e.to))
      .map((e) => `  ${ids.get(e.from)} -- ${e.relation} --> ${ids.get(e.to)}`)
      .sort(byText),
  ].join('\n');
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The nodes nearest first, then by kind and name: the same drawing and text for the same graph, whatever order the walk answered in. */
function ordered(graph: Graph): Graph['nodes'] {
  const key = ({ depth, node }: Graph['nodes'][number]) => `${String(depth).padStart(3, '0')} ${node.kind} ${node.name} ${node.id}`;
  return [...graph.nodes].sort((a, b) => byText(key(a), key(b)));
}

export const lineage: Command = {
  name: 'lineage',
  summary: 'the lineage around a node or a version: upstream, downstream or both, as text, JSON or --mermaid',
  usage: '<node id|version id|model@number> [--direction UPSTREAM|DOWNSTREAM|BOTH] [--depth <n>] [--first <n>] [--mermaid]',
  options: { direction: { type: 'string' }, depth: { type: 'string' }, first: { type: 'string' }, mermaid: { type: 'boolean' } },
  positionals: 1,
  async run({ values, positionals: [reference] }, { client }) {
    const direction = oneOf(
      optional(values, 'direction') ?? 'BOTH',
      ['UPSTREAM', 'DOWNSTREAM', 'BOTH'] as LineageDirection[],
      '--direction',
    );
    const maxDepth = integer(values, 'depth', { min: 1 }) ?? 3;
    const first = integer(values, 'first', { min: 1 }) ?? 1000;
    const nodeId = isUuid(reference) ? reference : (await resolveVersion(client, reference)).id;
    const graph = await client.lineage({ nodeId, direction, maxDepth, first });
    const names = new Map(graph.nodes.map(({ node }) => [node.id, `${node.kind} ${node.name}`]));
    const text = values.mermaid
      ? mermaidOf(graph)
      : [
          ...graph.edges.map((e) => `${names.get(e.from) ?? e.from} --${e.relation}--> ${names.get(e.to) ?? e.to}`).sort(byText),
          `${graph.nodes.length} node${graph.nodes.length === 1 ? '' : 's'}, ${graph.edges.length} edge${graph.edges.length === 1 ? '' : 's'}${graph.truncated ? ' (truncated: raise --first or lower --depth)' : ''}`,
        ].join('\n');
    return { json: values.mermaid ? { ...graph, mermaid: mermaidOf(graph) } : graph, text };
  },
};

export const eventsTail: Command = {
  name: 'events tail',
  summary: 'follow every event your token may see (a subscription, resumed from its cursor across disconnects)',
  usage: [
    '[--after <cursor>] [--model <name>]... [--kind <EVENT_KIND>]... [--limit <n>] [--for <duration>]',
    'With --after, first every event since that cursor, then live. One line per event (a JSON object per line with',
    '--json), each with its cursor to pass back as --after. Stops after --limit events or --for, else on Ctrl-C.',
  ].join('\n'),
  options: {
    after: { type: 'string' },
    model: { type: 'string', multiple: true },
    kind: { type: 'string', multiple: true },
    limit: { type: 'string' },
    for: { type: 'string' },
  },
  async run({ values }, { client, json, note }) {
    const limit = integer(values, 'limit', { min: 1 }) ?? Infinity;
    const modelIds: string[] = [];
    for (const name of (values.model as string[] | undefined) ?? []) modelIds.push((await client.model({ name })).id);
    const kinds = (values.kind as string[] | undefined)?.map((k) => k.toUpperCase());
    const stop = new AbortController();
    const duration = optional(values, 'for');
    const timer = duration ? setTimeout(() => stop.abort(), parseDuration(duration)) : undefined;
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    let count = 0;
    let last: string | undefined;
    try {
      const stream = client.lifecycleEvents(
        {
          after: optional(values, 'after'),
          filter: modelIds.length || kinds ? { modelIds: modelIds.length ? modelIds : undefined, kinds: kinds as never } : undefined,
        },
        { signal: stop.signal, onReconnect: (err, n) => note(`reconnecting (${n}): ${err.message}\n`) },
      );
      for await (const event of stream) {
        // Each event is printed as it comes: the stream has no end of its own.
        process.stdout.write(
          json
            ? `${JSON.stringify(event)}\n`
            : `${event.occurredAt}  ${event.kind.padEnd(22)} ${event.actor.padEnd(14)} ${event.action} ${event.subjectId}  [${event.cursor}]\n`,
        );
        count += 1;
        last = event.cursor;
        if (count >= limit) break;
      }
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
    }
    // Already printed line by line: the summary goes to stderr, and --json adds nothing after the last line.
    if (!json) note(`${count} event${count === 1 ? '' : 's'}${last ? `; resume with --after ${last}` : ''}\n`);
    return { json: undefined, text: '' };
  },
};

export const auditVerify: Command = {
  name: 'audit verify',
  summary: "verify the audit trail's hash chain on the server (exit 1 when it is broken, naming the first broken link)",
  usage: '(an ADMIN token with the whole trail: READ_WHOLE_TRAIL). An export is checked offline by `npm run audit:verify`.',
  options: {},
  async run(_args, { client }) {
    const result = await client.verifyAuditChain();
    return {
      json: result,
      text: result.ok
        ? `the audit chain is intact: ${result.eventsChecked} events checked${result.checkpointSeq ? `, up to signed checkpoint ${result.checkpointSeq}` : ''}`
        : `the audit chain is BROKEN at event ${result.firstBrokenSeq}: ${result.reason}`,
      exitCode: result.ok ? 0 : 1,
    };
  },
};

/** `--expires`: a duration from now (720h), or a date or time (2027-01-01, any ISO 8601). */
function expiryOf(text: string): string {
  if (/^\d+(\.\d+)?(ms|s|m|h)?$/.test(text)) return new Date(Date.now() + parseDuration(text)).toISOString();
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--expires takes a duration (720h) or a date or time (2027-01-01) (got "${text}")`);
  return at.toISOString();
}

export const adminToken: Command = {
  name: 'admin token',
  summary: 'create an API token (ADMIN): printed once, store it',
  usage: '--subject <name> --role VIEWER|CONTRIBUTOR|APPROVER|ADMIN [--description <text>] [--expires <duration (720h) | date or time>]',
  options: { subject: { type: 'string' }, role: { type: 'string' }, description: { type: 'string' }, expires: { type: 'string' } },
  async run({ values }, { client }) {
    const expires = optional(values, 'expires');
    const created = await client.createApiToken({
      subject:
        optional(values, 'subject') ??
        (() => {
          throw new UsageError('--subject is required');
        })(),
      role: oneOf(optional(values, 'role') ?? '', ['VIEWER', 'CONTRIBUTOR', 'APPROVER', 'ADMIN'] as const, '--role'),
      description: optional(values, 'description'),
      expiresAt: expires === undefined ? undefined : expiryOf(expires),
    });
    return {
      json: { token: created.token, ...created.apiToken },
      text: `${created.apiToken.role} token for ${created.apiToken.subject} (shown once, store it now): ${created.token}`,
    };
  },
};
