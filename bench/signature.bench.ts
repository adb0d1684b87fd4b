// `npm run bench:signature [-- --files 10000 --runs 20]`: how long verifying an OMS signature over a large model
// folder takes (issue 21: under 1 s for a 10,000-file manifest). Signs a synthetic folder of N files with an ECDSA key
// (test/support/oms.ts, as the spec describes), then times, as medians over the runs: parsing (the bundle's JSON and
// the statement's validation), the DSSE signature (PAE and ECDSA), the manifest comparison with the stored files, and
// verifyModelSignature from end to end. No database: it is pure. Not a test: it prints figures.
import { createPublicKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { compareManifest } from '../src/modules/trust/manifest.rules';
import { readSigningKey, verifyDsse } from '../src/modules/trust/key.rules';
import { OMS_LIMITS, verifyModelSignature } from '../src/modules/trust/signature.rules';
import { readStatement } from '../src/modules/trust/statement.rules';
import { ecKey, publicKeyPem, signModel, storedFiles, type Curve, type ModelFile } from '../test/support/oms';

const { values } = parseArgs({ options: { files: { type: 'string', default: '10000' }, runs: { type: 'string', default: '20' } } });
const FILES = Number(values.files);
const RUNS = Number(values.runs);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number): string => `${x.toFixed(2)} ms`;

function time(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function bench(curve: Curve, pretty: boolean): Promise<void> {
  const files: ModelFile[] = Array.from({ length: FILES }, (_, i) => ({
    path: `model-${String(Math.floor(i / 100)).padStart(3, '0')}/shard-${String(i).padStart(5, '0')}-of-${FILES}.safetensors`,
    content: `file ${i}`,
  }));
  const stored = storedFiles(files);
  const key = ecKey(curve);
  const bundle = signModel(files, { method: 'key', privateKey: key, modelName: 'bench-model', pretty });
  const text = JSON.stringify(bundle);
  const bytes = Buffer.byteLength(text);
  const limits = { maxBundleBytes: Math.max(OMS_LIMITS.maxBundleBytes, bytes), maxResources: Math.max(OMS_LIMITS.maxResources, FILES) };
  const trust = { keys: [{ id: 'bench', publicKey: publicKeyPem(key) }] };
  const signingKey = readSigningKey(createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string);
  if (typeof signingKey === 'string') throw new Error(signingKey);
  const envelope = bundle.dsseEnvelope as { payload: string; payloadType: string; signatures: Array<{ sig: string }> };
  const payload = Buffer.from(envelope.payload, 'base64');
  const sig = Buffer.from(envelope.signatures[0].sig, 'base64');
  const statement = readStatement(JSON.parse(payload.toString('utf8')), limits);
  const manifestOptions = { signaturePath: 'model.sig', ignoreUnsignedFiles: false };

  const first = await verifyModelSignature(text, trust, stored, { at: new Date(), limits });
  if (!first.valid) throw new Error(`the bench bundle does not verify: ${first.reason}`);

  const parse: number[] = [];
  const signature: number[] = [];
  const manifest: number[] = [];
  const total: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    parse.push(
      time(() => {
        const parsed = JSON.parse(text) as typeof bundle;
        const p = Buffer.from((parsed.dsseEnvelope as { payload: string }).payload, 'base64');
        readStatement(JSON.parse(p.toString('utf8')), limits);
      }),
    );
    signature.push(
      time(() => {
        if (!verifyDsse(envelope.payloadType, payload, sig, signingKey.key, signingKey.hash)) throw new Error('signature');
      }),
    );
    manifest.push(await timeAsync(() => compareManifest(statement.resources, statement.serialization, stored, manifestOptions)));
    total.push(await timeAsync(() => verifyModelSignature(text, trust, stored, { at: new Date(), limits })));
  }
  console.log(
    `${FILES} files, ECDSA ${curve}, ${pretty ? 'pretty' : 'compact'} payload, bundle ${(bytes / 1_048_576).toFixed(2)} MiB` +
      `${bytes > OMS_LIMITS.maxBundleBytes ? ` (over the default ${OMS_LIMITS.maxBundleBytes}-byte bound: measured with it raised)` : ''}`,
  );
  console.log(
    `  parse ${ms(median(parse))}   signature ${ms(median(signature))}   manifest ${ms(median(manifest))}   total ${ms(median(total))}` +
      `   (medians of ${RUNS}; total max ${ms(Math.max(...total))})`,
  );
}

/** How many files of these names fit under the default bundle bound. */
function fitting(pretty: boolean): number {
  let lo = 1;
  let hi = OMS_LIMITS.maxResources;
  const key = ecKey('P-256');
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const files: ModelFile[] = Array.from({ length: mid }, (_, i) => ({
      path: `model-${String(Math.floor(i / 100)).padStart(3, '0')}/shard-${String(i).padStart(5, '0')}-of-${FILES}.safetensors`,
      content: `file ${i}`,
    }));
    const size = Buffer.byteLength(JSON.stringify(signModel(files, { method: 'key', privateKey: key, pretty })));
    if (size <= OMS_LIMITS.maxBundleBytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

async function main(): Promise<void> {
  console.log(`OMS signature verification, node ${process.version}`);
  await bench('P-256', false);
  await bench('P-384', false);
  await bench('P-521', false);
  await bench('P-256', true);
  console.log(
    `Files of these names under the default ${OMS_LIMITS.maxBundleBytes}-byte bundle bound: ${fitting(false)} (compact payload), ${fitting(true)} (pretty)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
