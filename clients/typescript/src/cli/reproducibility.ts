/**
 * The reproducibility tuple from the command line, git and the CI environment: flags win, then the CI's own
 * variables (GitHub Actions, GitLab CI), then git in the working directory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { list, optional, UsageError, type Values } from './command';

type Env = Record<string, string | undefined>;

const git = (...args: string[]): string | undefined => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
};

/**
 * The CI run this is, as a key: the same for a retried job or a re-run of the workflow (which then answers what the
 * first attempt did, rather than doing it twice), another for a new run.
 */
export function ciRunKey(env: Env): string | undefined {
  if (env.GITHUB_RUN_ID) return `github:${env.GITHUB_REPOSITORY ?? ''}:${env.GITHUB_RUN_ID}`;
  if (env.CI_PIPELINE_ID) return `gitlab:${env.CI_PROJECT_PATH ?? ''}:${env.CI_PIPELINE_ID}`;
  return undefined;
}

/** The lock file's digest, as `packageLock` takes it ("Package lock contents or its digest"): a lock can be megabytes. */
function lockDigest(file: string): string {
  try {
    return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')} ${path.basename(file)}`;
  } catch {
    throw new UsageError(`--package-lock ${file}: cannot read it`);
  }
}

export function reproducibilityOf(values: Values, env: Env, readGit: (...args: string[]) => string | undefined = git) {
  const commit = optional(values, 'commit') ?? env.GITHUB_SHA ?? env.CI_COMMIT_SHA ?? readGit('rev-parse', 'HEAD');
  const repo =
    optional(values, 'repo') ??
    (env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}` : undefined) ??
    env.CI_PROJECT_URL ??
    readGit('config', '--get', 'remote.origin.url');
  if (!commit) throw new UsageError('no commit: pass --commit, or run in a git checkout or a CI job');
  if (!repo) throw new UsageError('no repository: pass --repo, or run in a git checkout with an origin or a CI job');
  const imageDigest = optional(values, 'image-digest') ?? env.MODELGRAPH_IMAGE_DIGEST;
  const lock = optional(values, 'package-lock');
  if (!imageDigest && !lock)
    throw new UsageError(
      'no environment: pass --image-digest <image@sha256:…> (or set MODELGRAPH_IMAGE_DIGEST), --package-lock <file>, or both',
    );
  const hyperparameters: Record<string, unknown> = {};
  for (const pair of list(values, 'param')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes <key>=<value> (got "${pair}")`);
    const raw = pair.slice(eq + 1);
    // Numbers and booleans as such, so `lr=0.01` is compared as 0.01 later; anything else as text.
    hyperparameters[pair.slice(0, eq)] = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw)
      ? Number(raw)
      : raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw;
  }
  const runKey = ciRunKey(env);
  return {
    code: { repo, commit },
    environment: { imageDigest, packageLock: lock ? lockDigest(lock) : undefined },
    hyperparameters: Object.keys(hyperparameters).length > 0 ? hyperparameters : undefined,
    trainingRunId: optional(values, 'run-id') ?? env.GITHUB_RUN_ID ?? env.CI_PIPELINE_ID,
    runKey,
  };
}
