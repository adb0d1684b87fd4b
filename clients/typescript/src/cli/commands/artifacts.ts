import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readPrivateKey, signModelFolder } from '../../signing';
import { type Command, optional, required, resolveVersion, UsageError } from '../command';

const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export const upload: Command = {
  name: 'upload',
  summary: "send a version's artifact: a file, or a folder file by file (streamed, each sha256 computed on the way)",
  usage: [
    '<file|folder> --version <id|model@number>',
    'Files the registry already holds READY with the same sha256 are skipped: run it again to resume an upload.',
    'Progress goes to stderr on a terminal.',
  ].join('\n'),
  options: { version: { type: 'string' } },
  positionals: 1,
  async run({ values, positionals: [target] }, { client, note, progressive }) {
    if (!existsSync(target)) throw new UsageError(`${target}: no such file or folder`);
    const version = await resolveVersion(client, required(values, 'version'));
    let last = 0;
    const files = await client.upload(version.id, target, (p) => {
      if (!progressive) return;
      const now = Date.now();
      if (now - last < 200 && p.sentBytes < p.totalBytes) return;
      last = now;
      note(`\r${p.path}: ${megabytes(p.sentBytes)} of ${megabytes(p.totalBytes)}${p.sentBytes === p.totalBytes ? '\n' : ''}`);
    });
    const after = await client.version(version.id);
    const sent = files.filter((f) => f.uploaded);
    const bytes = sent.reduce((n, f) => n + f.sizeBytes, 0);
    return {
      json: { versionId: version.id, files, artifact: after.artifact },
      text: `uploaded ${sent.length} file${sent.length === 1 ? '' : 's'} (${megabytes(bytes)})${files.length > sent.length ? `, ${files.length - sent.length} already there` : ''} to version ${after.version} of ${after.model.name}: artifact ${after.artifact.status}`,
    };
  },
};

export const sign: Command = {
  name: 'sign',
  summary: 'sign a model folder (or file) as OpenSSF Model Signing v1.0 with a local ECDSA key: writes model.sig',
  usage: [
    '<folder|file> --key <private key PEM> [--out <file>]',
    'Every file is hashed (model.sig and version control files left out) into an in-toto statement signed in a DSSE',
    'envelope, in a Sigstore bundle naming the key by its hint. The registry verifies it when it is attached, against',
    'the key trusted under a name (registerSigningKey). --out defaults to model.sig in the folder (beside a file).',
  ].join('\n'),
  options: { key: { type: 'string' }, out: { type: 'string' } },
  positionals: 1,
  async run({ values, positionals: [target] }) {
    if (!existsSync(target)) throw new UsageError(`${target}: no such file or folder`);
    const key = await readPrivateKey(required(values, 'key'));
    const signed = await signModelFolder(target, key);
    const isFolder = (await stat(target)).isDirectory();
    const out = optional(values, 'out') ?? path.join(isFolder ? target : path.dirname(target), 'model.sig');
    await writeFile(out, JSON.stringify(signed.bundle));
    return {
      json: { bundle: out, rootDigest: signed.rootDigest, files: signed.files.length },
      text: `signed ${signed.files.length} file${signed.files.length === 1 ? '' : 's'} (root digest ${signed.rootDigest}): ${out}`,
    };
  },
};

export const signatureAttach: Command = {
  name: 'signature attach',
  summary: "attach an OMS bundle (model.sig) to a version: verified against the stored files and the model's trusted signers",
  usage: '--version <id|model@number> --bundle <model.sig>',
  options: { version: { type: 'string' }, bundle: { type: 'string' } },
  async run({ values }, { client }) {
    const version = await resolveVersion(client, required(values, 'version'));
    const file = required(values, 'bundle');
    let bundle: Record<string, unknown>;
    try {
      bundle = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`${file}: not a readable JSON bundle (${(err as Error).message})`);
    }
    const signature = await client.attachSignature(version.id, bundle);
    return {
      json: signature,
      text: `attached: signed by ${signature.signer} (${signature.method}), ${signature.counts ? 'counts' : `does not count: ${signature.reason}`}`,
    };
  },
};
