import { readFile } from 'node:fs/promises';
import type { ModelgraphClient, Version } from '../../client';
import { ModelgraphError } from '../../errors';
import type { Stage } from '../../generated/graphql';
import { readPrivateKey } from '../../signing';
import { waitFor, type WaitTarget } from '../../wait';
import { type Command, oneOf, optional, required, resolveVersion, STAGES, UsageError } from '../command';
import { parseDuration } from '../duration';
import { parseMetrics } from '../metrics-file';
import { ciRunKey } from '../reproducibility';

export const metricsLog: Command = {
  name: 'metrics log',
  summary: 'log metric points from a JSON or CSV file (or - for stdin), in batches of 10,000',
  usage: [
    '--version <id|model@number> --file <metrics.json|metrics.csv|-> [--source TRAINING|VALIDATION|TEST|PRODUCTION]',
    'JSON: {"auc": 0.91, …}, or a list of {name, value, step?, source?, slice?}. CSV: a header naming name,value and',
    'any of step,source,slice. --source is the source of points that name none (default VALIDATION).',
  ].join('\n'),
  options: { version: { type: 'string' }, file: { type: 'string' }, source: { type: 'string' } },
  async run({ values }, { client }) {
    const file = required(values, 'file');
    const text =
      file === '-'
        ? await readStdin()
        : await readFile(file, 'utf8').catch(() => Promise.reject(new UsageError(`${file}: cannot read it`)));
    const points = parseMetrics(text, file.toLowerCase().endsWith('.csv') ? 'csv' : 'auto', optional(values, 'source') ?? 'VALIDATION');
    const version = await resolveVersion(client, required(values, 'version'));
    const count = await client.logMetrics(version.id, points);
    return {
      json: { versionId: version.id, count },
      text: `logged ${count} point${count === 1 ? '' : 's'} for version ${version.version} of ${version.model.name}`,
    };
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const validate: Command = {
  name: 'validate',
  summary: "validate a version against its model's baselines and policy checks (exit 3 when it does not pass)",
  usage: '--version <id|model@number>',
  options: { version: { type: 'string' } },
  async run({ values }, { client }) {
    const version = await resolveVersion(client, required(values, 'version'));
    const report = await client.validate(version.id);
    const lines = report.checks.map(
      (c) => `  ${c.passed ? 'pass' : 'FAIL'}  ${c.metric}: ${c.candidateValue ?? 'missing'} against ${c.baselineValue ?? '-'}`,
    );
    return {
      json: report,
      text: [`${report.passed ? 'passed' : 'did not pass'}: ${report.summary}`, ...lines].join('\n'),
      exitCode: report.passed ? 0 : 3,
    };
  },
};

export const approve: Command = {
  name: 'approve',
  summary: "approve (or --reject) a version for a stage: fetches the registry's challenge, signs it with your Ed25519 key, submits it",
  usage: [
    '--version <id|model@number> --key <Ed25519 private key PEM> [--stage PRODUCTION] [--comment <text>] [--reject] [--register-key]',
    '--register-key registers the key as yours first (once per key: `openssl genpkey -algorithm ed25519 -out me.pem`).',
  ].join('\n'),
  options: {
    version: { type: 'string' },
    key: { type: 'string' },
    stage: { type: 'string' },
    comment: { type: 'string' },
    reject: { type: 'boolean' },
    'register-key': { type: 'boolean' },
  },
  async run({ values }, { client, note }) {
    const targetStage = oneOf(optional(values, 'stage') ?? 'PRODUCTION', STAGES, '--stage');
    const privateKey = await readPrivateKey(required(values, 'key'));
    const version = await resolveVersion(client, required(values, 'version'));
    if (values['register-key']) {
      try {
        const key = await client.registerApproverKey(privateKey);
        note(`registered approver key ${key.fingerprint}\n`);
      } catch (err) {
        // Registered earlier: the approval below tells whether it is this caller's.
        if (!(err instanceof ModelgraphError && err.code === 'CONFLICT')) throw err;
      }
    }
    const approval = await client.decide({
      versionId: version.id,
      targetStage,
      decision: values.reject ? 'REJECTED' : 'APPROVED',
      privateKey,
      comment: optional(values, 'comment'),
    });
    return {
      json: approval,
      text: `${approval.decision.toLowerCase()} version ${version.version} of ${version.model.name} for ${approval.targetStage} as ${approval.approver} (key ${approval.keyFingerprint})`,
    };
  },
};

export const promote: Command = {
  name: 'promote',
  summary: 'move a version to a stage behind its gates (exit 3 with the gate report when one fails, 4 when the stage moved)',
  usage: [
    '--version <id|model@number> --to STAGING|PRODUCTION|ARCHIVED|REJECTED|… [--expect <stage>] [--reason <text>] [--idempotency-key <key>]',
    '--expect is the stage the version must be in now (default: the one it is read in, or, when it is in --to',
    'already, the one it came from: what a first attempt sent). The idempotency key defaults to one derived from the',
    "CI run's id when there is one, so a retried job answers the first promotion (with the same --reason).",
  ].join('\n'),
  options: {
    version: { type: 'string' },
    to: { type: 'string' },
    expect: { type: 'string' },
    reason: { type: 'string' },
    'idempotency-key': { type: 'string' },
  },
  async run({ values }, { client }) {
    const to = oneOf(required(values, 'to'), STAGES, '--to');
    const expect = optional(values, 'expect');
    const expected = expect ? oneOf(expect, STAGES, '--expect') : undefined;
    const version = await resolveVersion(client, required(values, 'version'));
    const runKey = ciRunKey(process.env);
    const moved = await client.transition({
      versionId: version.id,
      toStage: to,
      expectedStage: expected ?? (await expectationOf(client, version, to)),
      reason: optional(values, 'reason'),
      idempotencyKey: optional(values, 'idempotency-key') ?? (runKey ? `promote:${version.id}:${to}:${runKey}` : undefined),
    });
    const v = moved.version;
    const archived = moved.archivedVersion ? `; version ${moved.archivedVersion.version} ${moved.archivedVersion.stage}` : '';
    return {
      json: { version: v, archivedVersion: moved.archivedVersion, replayed: moved.replayed },
      text: `version ${v.version} of ${v.model.name} is ${v.stage}${archived}${moved.replayed ? ' (replayed: done earlier with this key)' : ''}`,
    };
  },
};

/**
 * The stage a promotion without --expect expects: the one the version is in — unless it is in the target already,
 * where a retried step (the same idempotency key, which covers the whole request) must send what the first attempt
 * sent: the stage it came from.
 */
async function expectationOf(client: ModelgraphClient, version: Version, to: Stage): Promise<Stage> {
  if (version.stage !== to) return version.stage;
  const last = await client.lastMove(version.id);
  return last && last.toStage === to ? last.fromStage : version.stage;
}

export const rollback: Command = {
  name: 'rollback',
  summary: 'put back the version that was in production before the current one',
  usage: '--model <name> [--reason <text>] [--idempotency-key <key>]',
  options: { model: { type: 'string' }, reason: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  async run({ values }, { client }) {
    const model = await client.model({ name: required(values, 'model') });
    const runKey = ciRunKey(process.env);
    const done = await client.rollback({
      modelId: model.id,
      reason: optional(values, 'reason'),
      idempotencyKey: optional(values, 'idempotency-key') ?? (runKey ? `rollback:${model.id}:${runKey}` : undefined),
    });
    return {
      json: done,
      text: `version ${done.restoredVersion.version} of ${model.name} is ${done.restoredVersion.stage}${done.archivedVersion ? `; version ${done.archivedVersion.version} ${done.archivedVersion.stage}` : ''}`,
    };
  },
};

export const wait: Command = {
  name: 'wait',
  summary: 'wait until a version reaches a stage, is approved, or its artifact is ready (exit 5 on timeout)',
  usage: [
    '--version <id|model@number> --until <STAGE|approved|ready> [--timeout 30m] [--poll 5s]',
    'Listens to the lifecycleEvents subscription and reads the version on every event of its model, and every --poll',
    'besides (the fallback when websockets do not get through). Exit 4 when the version can no longer get there',
    '(REJECTED, RETIRED, a FAILED upload).',
  ].join('\n'),
  options: { version: { type: 'string' }, until: { type: 'string' }, timeout: { type: 'string' }, poll: { type: 'string' } },
  async run({ values }, { client, note, json }) {
    const until = required(values, 'until');
    const target: WaitTarget = until === 'approved' || until === 'ready' ? until : (oneOf(until, STAGES, '--until') as Stage);
    const timeoutMs = parseDuration(optional(values, 'timeout') ?? '30m');
    const pollMs = parseDuration(optional(values, 'poll') ?? '5s');
    const version = await resolveVersion(client, required(values, 'version'));
    const { version: reached, waitedMs } = await waitFor(client, version.id, target, {
      timeoutMs,
      pollMs,
      onMode: (mode, reason) => {
        if (mode === 'polling' && !json) note(`websocket unavailable (${reason}): polling\n`);
      },
    });
    return {
      json: { version: reached, until: target, waitedMs },
      text: `version ${reached.version} of ${reached.model.name}: ${target === 'ready' ? `artifact ${reached.artifact.status}` : target === 'approved' ? 'approved' : reached.stage} after ${(waitedMs / 1000).toFixed(1)} s`,
    };
  },
};
