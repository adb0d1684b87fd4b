/**
 * The AI bill of materials over real HTTP and real PostgreSQL: GET /models/<name>/versions/<n>/bom.cdx.json for a
 * folder, a single file, a version with upstream lineage datasets and a package lock, a signed version; every BOM valid
 * against the official CycloneDX 1.6 JSON schema (strict), each registry-filled field equal to what GraphQL answers,
 * the same bytes across requests and restarts, 404s and who may read it.
 */
import { Role } from '../../src/common/role';
import { LineageNodeKind } from '../../src/common/lineage';
import { createModelgraph } from '../../src/composition';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Level } from '../../src/modules/access/access.rules';
import { LineageRelation } from '../../src/modules/lineage/lineage.rules';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { RiskTier } from '../../src/modules/models/model.enums';
import { startServer } from '../../src/server/app';
import { createMetrics } from '../../src/server/metrics';
import { RegisterSigningKeyDocument, AttachModelSignatureDocument } from '../generated/graphql';
import { sha256 } from '../support/artifact-folders';
import { cyclonedxErrors } from '../support/cyclonedx';
import { modelName, registration, SHA } from '../support/fixtures';
import { aucBaseline, caller } from '../support/lifecycle';
import { ecKey, publicKeyPem, signModel } from '../support/oms';
import { ok, startTestServer, type TestServer } from '../support/server';

const admin = caller('admin', Role.ADMIN);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
});
afterAll(() => t.close());

const bomUrl = (base: string, model: string, version: number | string) =>
  `${base}/models/${encodeURIComponent(model)}/versions/${version}/bom.cdx.json`;
const getBom = (model: string, version: number | string, token = t.adminToken, base = t.baseUrl) =>
  fetch(bomUrl(base, model, version), { headers: { authorization: `Bearer ${token}` } });

/** A BOM fetched, checked against the CycloneDX 1.6 schema (strict): its text and its parsed JSON. */
async function validBom(model: string, version: number, token = t.adminToken): Promise<{ text: string; bom: Bom }> {
  const res = await getBom(model, version, token);
  const text = await res.text();
  expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/vnd.cyclonedx+json; version=1.6']);
  expect(res.headers.get('etag')).toBe(`"${sha256(text)}"`);
  expect(await cyclonedxErrors(text)).toBeNull();
  return { text, bom: JSON.parse(text) as Bom };
}

interface Component {
  type: string;
  name: string;
  version?: string;
  'bom-ref': string;
  hashes?: Array<{ alg: string; content: string }>;
  purl?: string;
  properties?: Array<{ name: string; value: string }>;
  components?: Component[];
  externalReferences?: Array<{ type: string; url: string; comment?: string; hashes?: Array<{ alg: string; content: string }> }>;
}
interface ModelCardJson {
  modelParameters?: { approach?: { type: string }; task?: string; datasets?: Array<{ ref: string }> };
  quantitativeAnalysis?: { performanceMetrics: Array<{ type: string; value?: string; slice?: string }> };
  considerations?: Record<string, unknown>;
  properties?: Array<{ name: string; value: string }>;
}
interface Bom {
  serialNumber: string;
  metadata: { timestamp: string; component: Component & { modelCard?: ModelCardJson; licenses?: Array<{ expression: string }> } };
  components: Component[];
  dependencies: Array<{ ref: string; dependsOn?: string[] }>;
}
const prop = (c: Component, name: string) => c.properties?.find((p) => p.name === `modelgraph:${name}`)?.value;
const sha = (c: Component) => c.hashes?.find((h) => h.alg === 'SHA-256')?.content ?? null;

const VERSION_QUERY = `query($id: UUID!) { modelVersion(id: $id) {
  id version description createdAt model { id name }
  reproducibility { code { repo commit } datasetVersions environment { imageDigest packageLock } }
  artifact { format layout sha256 sizeBytes status files(first: 500) { edges { node { path sha256 sizeBytes } } } }
  signatures(first: 100) { edges { node { id method signer signerIssuer attachedAt rootDigest downloadPath } } }
  upstream(maxDepth: 20) { truncated nodes { depth node { id kind name ... on GenericLineageNode { naturalKey } } } edges { from to relation } }
} }`;
interface VersionAnswer {
  id: string;
  version: number;
  description: string;
  createdAt: string;
  model: { id: string; name: string };
  reproducibility: {
    code: { repo: string; commit: string };
    datasetVersions: string[];
    environment: { imageDigest: string | null; packageLock: string | null };
  };
  artifact: {
    format: string;
    layout: string;
    sha256: string | null;
    sizeBytes: number | null;
    status: string;
    files: { edges: Array<{ node: { path: string; sha256: string | null; sizeBytes: number | null } }> };
  };
  signatures: {
    edges: Array<{
      node: {
        id: string;
        method: string;
        signer: string;
        signerIssuer: string | null;
        attachedAt: string;
        rootDigest: string;
        downloadPath: string;
      };
    }>;
  };
  upstream: {
    truncated: boolean;
    nodes: Array<{ depth: number; node: { id: string; kind: string; name: string; naturalKey?: string } }>;
    edges: Array<{ from: string; to: string; relation: string }>;
  };
}
async function versionOf(id: string): Promise<VersionAnswer> {
  const res = await t.post({ query: VERSION_QUERY, variables: { id } });
  expect(res.errors).toBeUndefined();
  return (res.data as { modelVersion: VersionAnswer }).modelVersion;
}

/**
 * Every registry-filled field of the BOM equals what GraphQL answers for the version: the model and its artifact, each
 * file's digest and size, the code commit, the datasets, the image, the signatures.
 */
async function expectMatchesApi(bom: Bom, versionId: string): Promise<VersionAnswer> {
  const v = await versionOf(versionId);
  const subject = bom.metadata.component;
  expect(subject).toMatchObject({ type: 'machine-learning-model', name: v.model.name, version: String(v.version) });
  expect([prop(subject, 'version:id'), prop(subject, 'model:id')]).toEqual([v.id, v.model.id]);
  expect([prop(subject, 'artifact:format'), prop(subject, 'artifact:layout'), prop(subject, 'artifact:status')]).toEqual([
    v.artifact.format,
    v.artifact.layout,
    v.artifact.status,
  ]);
  expect(sha(subject)).toBe(v.artifact.sha256);
  expect(prop(subject, 'artifact:sizeBytes')).toBe(v.artifact.sizeBytes === null ? undefined : String(v.artifact.sizeBytes));
  expect((subject.components ?? []).map((f) => ({ path: f.name, sha256: sha(f), sizeBytes: Number(prop(f, 'file:sizeBytes')) }))).toEqual(
    v.artifact.files.edges.map((e) => e.node),
  );
  const { code, datasetVersions, environment } = v.reproducibility;
  const byRef = new Map(bom.components.map((c) => [c['bom-ref'], c]));
  const commit = byRef.get(`code_commit:${code.repo}@${code.commit}`)!;
  expect(commit).toMatchObject({ type: 'application', name: code.repo, version: code.commit });
  expect(commit.externalReferences).toEqual([{ type: 'vcs', url: code.repo, comment: `commit ${code.commit}` }]);
  for (const d of datasetVersions) expect(byRef.get(`dataset_version:${d}`)).toMatchObject({ type: 'data', name: d });
  if (environment.imageDigest) {
    const image = byRef.get(`environment:${environment.imageDigest}`)!;
    expect(prop(image, 'environment:imageDigest')).toBe(environment.imageDigest);
    expect(`${image.name}@sha256:${sha(image)}`).toBe(environment.imageDigest);
  }
  if (environment.packageLock) {
    const lockSha = sha256(environment.packageLock);
    expect(sha(byRef.get(`environment:lock:sha256:${lockSha}`)!)).toBe(lockSha);
  }
  const signatures = v.signatures.edges.map((e) => e.node);
  expect((subject.externalReferences ?? []).map((r) => r.url)).toEqual(signatures.map((s) => s.downloadPath).sort());
  for (const s of signatures) {
    const ref = subject.externalReferences!.find((r) => r.url === s.downloadPath)!;
    expect(ref.type).toBe('digital-signature');
    expect(ref.comment).toContain(`by ${s.signer}`);
    expect(ref.comment).toContain(`root digest ${s.rootDigest}`);
    const bundle = await fetch(`${t.baseUrl}${s.downloadPath}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(ref.hashes).toEqual([{ alg: 'SHA-256', content: sha256(Buffer.from(await bundle.arrayBuffer())) }]);
  }
  // Every dataset the upstream lineage reaches is a data component; the model depends on the tuple's.
  const datasets = v.upstream.nodes.filter(({ node }) => node.kind === 'DATASET' || node.kind === 'DATASET_VERSION');
  expect(datasets.length).toBeGreaterThanOrEqual(datasetVersions.length);
  for (const { node } of datasets) {
    {
      const c = bom.components.find((x) => x.properties?.some((p) => p.name === 'modelgraph:lineage:nodeId' && p.value === node.id));
      expect(c).toMatchObject({ type: 'data', name: node.name });
    }
  }
  const own = bom.dependencies.find((d) => d.ref === subject['bom-ref'])!;
  expect(own.dependsOn).toEqual(expect.arrayContaining([commit['bom-ref'], ...datasetVersions.map((d) => `dataset_version:${d}`)]));
  // The timestamp is the registry's: never before the registration or a signature's attachment.
  const newest = Math.max(Date.parse(v.createdAt), ...signatures.map((s) => Date.parse(s.attachedAt)));
  expect(Date.parse(bom.metadata.timestamp)).toBeGreaterThanOrEqual(newest);
  return v;
}

const put = (versionId: string, p: string, body: Buffer) =>
  fetch(`${t.baseUrl}/artifacts/${versionId}/${p.split('/').map(encodeURIComponent).join('/')}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${t.adminToken}` },
    body,
  });

const folder = (): Record<string, Buffer> => ({
  'config.json': Buffer.from('{"architectures":["Tiny"],"hidden_size":8}\n'),
  'weights/model-00001-of-00002.safetensors': Buffer.alloc(2048, 1),
  'weights/model-00002-of-00002.safetensors': Buffer.alloc(1024, 2),
});

async function newModel(prefix: string) {
  const model = await t.services.models.create(admin, { name: modelName(prefix), owner: 'ml', riskTier: RiskTier.LOW });
  return { id: model.id, name: model.name };
}

async function folderVersion(modelId: string, files = folder(), overrides: Record<string, unknown> = {}) {
  const { version } = await t.services.versions.register(
    admin,
    registration({
      modelId,
      artifact: {
        format: 'SAFETENSORS' as never,
        files: Object.entries(files).map(([p, body]) => ({ path: p, sizeBytes: body.length, sha256: sha256(body) })),
      },
      ...overrides,
    }) as never,
  );
  for (const [p, body] of Object.entries(files)) expect((await put(version.id, p, body)).status).toBe(201);
  return version;
}

describe('GET /models/<name>/versions/<n>/bom.cdx.json', () => {
  test('a folder: each file with its digest and size, the root digest, code, dataset and image as GraphQL answers them', async () => {
    const model = await newModel('bom-folder');
    const version = await folderVersion(model.id);
    const { bom } = await validBom(model.name, version.version);
    const v = await expectMatchesApi(bom, version.id);
    expect(v.artifact.files.edges).toHaveLength(3);
    expect(prop(bom.metadata.component, 'artifact:rootDigest')).toBe(v.artifact.sha256);
    expect(bom.metadata.timestamp).toBe(v.createdAt);
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('a single file, with a package lock: its file `artifact`, the lock by digest and the packages it pins', async () => {
    const model = await newModel('bom-file');
    const body = Buffer.from('onnx bytes of a tiny model');
    const lock = `numpy==2.1.0 \\\n    --hash=sha256:${SHA('1')}\nscikit-learn==1.5.2\n`;
    const { version } = await t.services.versions.register(
      admin,
      registration({
        modelId: model.id,
        environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA('b')}`, packageLock: lock },
        artifact: { format: 'ONNX', sizeBytes: body.length, sha256: sha256(body) } as never,
      }) as never,
    );
    expect(
      (await fetch(`${t.baseUrl}/artifacts/${version.id}`, { method: 'PUT', headers: { authorization: `Bearer ${t.adminToken}` }, body }))
        .status,
    ).toBe(201);
    const { bom } = await validBom(model.name, version.version);
    const v = await expectMatchesApi(bom, version.id);
    expect(v.artifact.files.edges.map((e) => e.node)).toEqual([{ path: 'artifact', sha256: sha256(body), sizeBytes: body.length }]);
    expect(prop(bom.metadata.component, 'artifact:sha256')).toBe(sha256(body));
    const libraries = bom.components.filter((c) => c.type === 'library').map((c) => ({ purl: c.purl, version: c.version }));
    expect(libraries).toEqual([
      { purl: 'pkg:pypi/numpy@2.1.0', version: '2.1.0' },
      { purl: 'pkg:pypi/scikit-learn@1.5.2', version: '1.5.2' },
    ]);
    const lockRef = `environment:lock:sha256:${sha256(lock)}`;
    expect(bom.dependencies.find((d) => d.ref === lockRef)?.dependsOn).toEqual(['pkg:pypi/numpy@2.1.0', 'pkg:pypi/scikit-learn@1.5.2']);
  });

  test('upstream lineage: a raw dataset behind a training run is a data component the model depends on; the timestamp moves with it', async () => {
    const model = await newModel('bom-lineage');
    const version = await folderVersion(model.id);
    const before = await validBom(model.name, version.version);
    const { nodes } = await t.services.lineage.upsertNodes(admin, [
      { kind: LineageNodeKind.DATASET, naturalKey: `warehouse.transactions.${model.name}`, name: 'warehouse.transactions' },
      { kind: LineageNodeKind.TRAINING_RUN, naturalKey: `run-${model.name}`, name: 'nightly run' },
    ]);
    const [raw, run] = nodes;
    await t.services.lineage.addEdges(admin, [
      { fromId: raw.id, toId: run.id, relation: LineageRelation.CONSUMED_BY },
      { fromId: run.id, toId: version.id, relation: LineageRelation.PRODUCED_BY },
    ]);
    const { bom, text } = await validBom(model.name, version.version);
    expect(text).not.toBe(before.text);
    expect(bom.serialNumber).not.toBe(before.bom.serialNumber);
    await expectMatchesApi(bom, version.id);
    const data = bom.components.find((c) => c['bom-ref'] === `dataset:warehouse.transactions.${model.name}`)!;
    expect(data).toMatchObject({ type: 'data', name: 'warehouse.transactions' });
    expect(bom.components.some((c) => c.name === 'nightly run')).toBe(false);
    expect(bom.dependencies.find((d) => d.ref === bom.metadata.component['bom-ref'])!.dependsOn).toContain(data['bom-ref']);
    expect(bom.metadata.timestamp).toBe(new Date(Math.max(raw.createdAt.getTime(), run.createdAt.getTime())).toISOString());
  });

  test('a signed version: the OMS signature referenced with its bundle digest and signer; timestamp its attachment', async () => {
    const model = await newModel('bom-signed');
    const files = folder();
    const version = await folderVersion(model.id, files);
    const key = ecKey('P-256');
    ok(await t.request(RegisterSigningKeyDocument, { input: { name: modelName('key'), publicKey: publicKeyPem(key), scope: 'GLOBAL' } }));
    const bundle = signModel(
      Object.entries(files).map(([p, content]) => ({ path: p, content })),
      { method: 'key', privateKey: key },
    );
    const { signature } = ok(
      await t.request(AttachModelSignatureDocument, { input: { versionId: version.id, bundle } }),
    ).attachModelSignature;
    const { bom } = await validBom(model.name, version.version);
    await expectMatchesApi(bom, version.id);
    expect(bom.metadata.component.externalReferences).toEqual([
      expect.objectContaining({ type: 'digital-signature', url: `/artifacts/${version.id}/model.sig?signature=${signature.id}` }),
    ]);
    expect(bom.metadata.timestamp).toBe(signature.attachedAt);
  });

  test('deterministic: byte-identical across requests and across two restarts of the server on the same database', async () => {
    const model = await newModel('bom-same');
    const version = await folderVersion(model.id);
    const first = await validBom(model.name, version.version);
    expect((await validBom(model.name, version.version)).text).toBe(first.text);
    for (let restart = 0; restart < 2; restart++) {
      const config = loadConfig({
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        MODELGRAPH_VISIBILITY: 'granted',
        MODELGRAPH_ARTIFACT_DIR: '/nonexistent',
      });
      const { application } = await createModelgraph(t.database.db, { access: config.access, artifacts: config.artifacts });
      const server = await startServer(
        { config, db: t.database.db, logger: createLogger('silent'), metrics: createMetrics(), application },
        { port: 0, host: '127.0.0.1' },
      );
      try {
        const res = await getBom(model.name, version.version, t.adminToken, `http://127.0.0.1:${server.port}`);
        expect(await res.text()).toBe(first.text);
      } finally {
        await server.close();
      }
    }
  });

  test('the model card: each section where CycloneDX 1.6 puts it, equal to what modelCard answers; an edit changes the bytes', async () => {
    const model = await newModel('bom-card');
    await aucBaseline(t.services, admin, model.id);
    const version = await folderVersion(model.id);
    // An empty card: no modelCard, and the BOM is the one of a version that never had a card.
    const empty = await validBom(model.name, version.version);
    expect(empty.bom.metadata.component.modelCard).toBeUndefined();
    await t.services.metrics.log(admin, {
      versionId: version.id,
      metrics: [{ name: 'auc', value: 0.91, source: MetricSource.VALIDATION }],
    });
    await t.services.validation.validate(admin, version.id);
    const sections = {
      useCases: ['Rank card transactions for manual fraud review'],
      users: ['fraud analysts'],
      outOfScopeUses: ['credit decisions'],
      technicalLimitations: ['Trained on EU transactions only'],
      performanceTradeoffs: ['recall over precision'],
      ethicalConsiderations: [{ name: 'False positives block legitimate customers', mitigationStrategy: 'A person reviews every block' }],
      fairnessAssessments: [
        { groupAtRisk: 'customers over 70', harms: 'more false positives', metric: 'fpr_ratio', value: 1.08, measuredOn: 's3://d@v3' },
        { groupAtRisk: 'new customers', benefits: 'fewer manual checks' },
      ],
      environmentalConsiderations: 'Trained in 2 GPU hours',
      approach: 'supervised',
      task: 'classification',
      owners: [{ name: 'Fraud ML', contact: 'fraud-ml@acme.example' }],
      license: 'Apache-2.0',
    };
    const CARD = `query($id: UUID!) { modelCard(versionId: $id) {
      revision updatedAt useCases users outOfScopeUses technicalLimitations performanceTradeoffs
      ethicalConsiderations { name mitigationStrategy }
      fairnessAssessments { groupAtRisk benefits harms mitigationStrategy metric value measuredOn }
      environmentalConsiderations approach task owners { name contact } license
      version { latestValidation { createdAt passed checks { metric comparator candidateValue baselineValue passed } } }
    } }`;
    const write = await t.post({
      query: `mutation($input: UpdateModelCardInput!) { updateModelCard(input: $input) { card { revision } } }`,
      variables: { input: { versionId: version.id, expectedRevision: 0, sections } },
    });
    expect(write.errors).toBeUndefined();
    const answer = await t.post({ query: CARD, variables: { id: version.id } });
    expect(answer.errors).toBeUndefined();
    type Card = Omit<typeof sections, 'fairnessAssessments' | 'ethicalConsiderations'> & {
      revision: number;
      updatedAt: string;
      fairnessAssessments: Array<{
        groupAtRisk: string;
        benefits: string | null;
        harms: string | null;
        mitigationStrategy: string | null;
        metric: string | null;
        value: number | null;
        measuredOn: string | null;
      }>;
      ethicalConsiderations: Array<{ name: string; mitigationStrategy: string | null }>;
      version: {
        latestValidation: {
          createdAt: string;
          passed: boolean;
          checks: Array<{
            metric: string;
            comparator: string;
            candidateValue: number | null;
            baselineValue: number | null;
            passed: boolean;
          }>;
        };
      };
    };
    const card = (answer.data as { modelCard: Card }).modelCard;
    const { bom, text } = await validBom(model.name, version.version);
    expect(text).not.toBe(empty.text);
    expect(bom.serialNumber).not.toBe(empty.bom.serialNumber);
    await expectMatchesApi(bom, version.id);
    const mc = bom.metadata.component.modelCard!;
    const orUndefined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
    expect(mc.considerations).toEqual({
      useCases: card.useCases,
      users: card.users,
      technicalLimitations: card.technicalLimitations,
      performanceTradeoffs: card.performanceTradeoffs,
      ethicalConsiderations: card.ethicalConsiderations.map(orUndefined),
      environmentalConsiderations: {
        properties: [{ name: 'modelgraph:card:environmentalConsiderations', value: card.environmentalConsiderations }],
      },
      fairnessAssessments: card.fairnessAssessments.map(({ groupAtRisk, benefits, harms, mitigationStrategy }) =>
        orUndefined({ groupAtRisk, benefits, harms, mitigationStrategy }),
      ),
    });
    const v = await versionOf(version.id);
    const dataRefs = bom.components.filter((c) => c.type === 'data').map((c) => ({ ref: c['bom-ref'] }));
    expect(dataRefs.length).toBeGreaterThanOrEqual(v.reproducibility.datasetVersions.length);
    expect(mc.modelParameters).toEqual({ approach: { type: card.approach }, task: card.task, datasets: expect.arrayContaining(dataRefs) });
    expect(mc.modelParameters!.datasets).toHaveLength(dataRefs.length);
    const validation = card.version.latestValidation;
    expect(mc.quantitativeAnalysis!.performanceMetrics).toEqual([
      ...validation.checks.map((c) => ({ type: c.metric, value: String(c.candidateValue) })),
      { type: 'fpr_ratio', value: '1.08', slice: 'customers over 70' },
    ]);
    const props = (name: string) => (mc.properties ?? []).filter((p) => p.name === `modelgraph:${name}`).map((p) => p.value);
    expect(props('card:revision')).toEqual([String(card.revision)]);
    expect(props('card:updatedAt')).toEqual([card.updatedAt]);
    expect(props('card:outOfScopeUse')).toEqual(card.outOfScopeUses);
    expect(props('card:owner')).toEqual(['Fraud ML <fraud-ml@acme.example>']);
    expect(props('card:license')).toEqual([card.license]);
    expect(props('validation:createdAt')).toEqual([validation.createdAt]);
    expect(props('validation:check').map((x) => JSON.parse(x))).toEqual(validation.checks);
    expect(bom.metadata.component.licenses).toEqual([{ expression: card.license }]);
    expect(bom.metadata.timestamp).toBe(card.updatedAt);

    // Without an edit the same bytes; an edit (even back to the same text) a new revision, new bytes and serial number.
    expect((await validBom(model.name, version.version)).text).toBe(text);
    const again = await t.post({
      query: `mutation($input: UpdateModelCardInput!) { updateModelCard(input: $input) { card { revision updatedAt } } }`,
      variables: { input: { versionId: version.id, expectedRevision: card.revision, sections: { users: ['fraud analysts'] } } },
    });
    expect(again.errors).toBeUndefined();
    const edited = await validBom(model.name, version.version);
    expect(edited.text).not.toBe(text);
    expect(edited.bom.serialNumber).not.toBe(bom.serialNumber);
    const after = (again.data as { updateModelCard: { card: { revision: number; updatedAt: string } } }).updateModelCard.card;
    expect(edited.bom.metadata.timestamp).toBe(after.updatedAt);
    expect(edited.bom.metadata.component.modelCard!.properties).toContainEqual({
      name: 'modelgraph:card:revision',
      value: String(after.revision),
    });
    expect((await validBom(model.name, version.version)).text).toBe(edited.text);

    // Emptied again: every section removed, no modelCard; the BOM stays valid.
    const emptied = await t.post({
      query: `mutation($input: UpdateModelCardInput!) { updateModelCard(input: $input) { card { revision } } }`,
      variables: {
        input: {
          versionId: version.id,
          expectedRevision: after.revision,
          sections: Object.fromEntries(Object.entries(sections).map(([k, x]) => [k, Array.isArray(x) ? [] : ''])),
        },
      },
    });
    expect(emptied.errors).toBeUndefined();
    expect((await validBom(model.name, version.version)).bom.metadata.component.modelCard).toBeUndefined();
  });

  test('hostile names and numbers are 404 JSON (400 for a path that is no UTF-8), never a server error', async () => {
    const model = await newModel('bom-hostile');
    await folderVersion(model.id);
    const names = ['%00', 'a%00b', '%F0%9F%98%80', 'x'.repeat(10_000), '%2e%2e', '..%2f..', "'; DROP TABLE models; --", 'A'];
    const numbers = ['1%00', '-1', '1.5', '1e3', '0x1', '%201', '01', '0', '2147483648', '9'.repeat(400)];
    const cases = [...names.map((x) => [x, '1']), ...numbers.map((x) => [encodeURIComponent(model.name), x])];
    for (const [name, n] of cases) {
      const res = await fetch(`${t.baseUrl}/models/${name}/versions/${n}/bom.cdx.json`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      const body = JSON.parse(await res.text()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect([name.slice(0, 40), n.slice(0, 40), res.status, body.errors[0].extensions.code]).toEqual([
        name.slice(0, 40),
        n.slice(0, 40),
        404,
        'NOT_FOUND',
      ]);
      expect(body.errors[0].message.length).toBeLessThan(300);
    }
    // A lone surrogate, percent-encoded: no UTF-8, refused before any handler as every route refuses it.
    const res = await fetch(`${t.baseUrl}/models/%ED%A0%80/versions/1/bom.cdx.json`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });

  test('404 JSON for an unknown model, version or number; a model of another team is 404 too, its own team reads it', async () => {
    const model = await newModel('bom-access');
    const version = await folderVersion(model.id);
    for (const [name, n] of [
      ['no-such-model', '1'],
      [model.name, '2'],
      [model.name, '0'],
      [model.name, 'x'],
      [model.name, '99999999999'],
    ]) {
      const res = await getBom(name, n);
      expect([name, n, res.status]).toEqual([name, n, 404]);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('NOT_FOUND');
    }
    const owners = await t.services.access.createTeam(admin, { name: modelName('owners') });
    const others = await t.services.access.createTeam(admin, { name: modelName('others') });
    await t.services.access.addMember(admin, owners.id, 'bom-owner');
    await t.services.access.addMember(admin, others.id, 'bom-other');
    await t.services.access.grant(admin, { modelId: model.id, teamId: owners.id, level: Level.VIEW });
    const other = await t.tokenFor(Role.CONTRIBUTOR, 'bom-other');
    const res = await getBom(model.name, version.version, other);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('NOT_FOUND');
    const notFound = await getBom('no-such-model', 1, other);
    expect(notFound.status).toBe(404);
    const { text } = await validBom(model.name, version.version, await t.tokenFor(Role.VIEWER, 'bom-owner'));
    expect(text).toBe((await validBom(model.name, version.version)).text);
    expect((await fetch(bomUrl(t.baseUrl, model.name, version.version))).status).toBe(401);
  });
});
