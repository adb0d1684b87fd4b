// `npm run audit:verify -- <events.jsonl> [--checkpoints <file>] [--public-key <file>]`: checks an exported
// audit trail (GET /audit/export) against the signed checkpoints and the server's public key, offline.
// Exit code 0 when it holds, 1 when it does not, 2 when the files cannot be read.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import type { StoredEvent } from './modules/audit/audit.rules';
import type { SignedCheckpoint } from './modules/audit/checkpoint.rules';
import { ExportVerifier, type ExportVerification } from './modules/audit/export.rules';

export async function verifyExportFiles(eventsFile: string, checkpointsFile: string, publicKeyFile: string): Promise<ExportVerification> {
  const checkpoints = fs
    .readFileSync(checkpointsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SignedCheckpoint);
  const verifier = new ExportVerifier(checkpoints, fs.readFileSync(publicKeyFile, 'utf8'));
  const lines = readline.createInterface({ input: fs.createReadStream(eventsFile), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) verifier.add(JSON.parse(line) as StoredEvent);
  return verifier.result();
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      checkpoints: { type: 'string', default: path.join('.modelgraph', 'audit-checkpoints.jsonl') },
      'public-key': { type: 'string', default: path.join('.modelgraph', 'audit-signing-key.pem.pub') },
    },
  });
  const [eventsFile] = positionals;
  if (!eventsFile) {
    process.stderr.write('usage: npm run audit:verify -- <events.jsonl> [--checkpoints <file>] [--public-key <file>]\n');
    process.exit(2);
  }
  verifyExportFiles(eventsFile, values.checkpoints as string, values['public-key'] as string).then(
    (result) => {
      const ignored = [
        result.untrustedCheckpoints ? `${result.untrustedCheckpoints} not signed by this key` : '',
        result.otherRegistryCheckpoints ? `${result.otherRegistryCheckpoints} of another registry` : '',
      ].filter(Boolean);
      const summary =
        `${result.eventsChecked} events` +
        (result.registryId ? ` of registry ${result.registryId}` : '') +
        `, ${result.checkpointsChecked} signed checkpoints` +
        (ignored.length ? ` (${ignored.join(', ')}: ignored)` : '');
      if (result.ok) process.stdout.write(`audit trail holds: ${summary}\n`);
      else process.stdout.write(`audit trail BROKEN at event ${result.firstBrokenSeq}: ${result.reason} (${summary})\n`);
      process.exit(result.ok ? 0 : 1);
    },
    (err: Error) => {
      process.stderr.write(`audit:verify cannot read its input: ${err.message}\n`);
      process.exit(2);
    },
  );
}
