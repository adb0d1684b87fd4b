import {
  AliasHistoryDocument,
  AuditEventsDocument,
  CreateApiTokenDocument,
  CreateModelDocument,
  DeleteModelAliasDocument,
  ModelDocument,
  ModelVersionDocument,
  ModelVersionsDocument,
  ModelsDocument,
  RegisterModelVersionDocument,
  RevokeApiTokenDocument,
  SetModelAliasDocument,
  SetModelTagsDocument,
  UpdateModelDocument,
  VerifyAuditChainDocument,
  ViewerDocument,
} from '../generated/graphql';
import { Role } from '../../src/common/role';
import { modelName, registration, SHA } from '../support/fixtures';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { jobs: false }); // no background statements in the counts below
});
afterAll(() => t.close());

async function createModel(name = modelName('e2e')) {
  return ok(await t.request(CreateModelDocument, { input: { name, owner: 'risk-ml', riskTier: 'HIGH' } })).createModel.model;
}

describe('a first session over HTTP', () => {
  test('create a model, register versions, alias one, read it all back', async () => {
    const model = await createModel();
    expect(model).toMatchObject({ riskTier: 'HIGH', status: 'ACTIVE', revision: 1, createdBy: 'admin' });

    const reg = ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelName: model.name, label: '1.0.0' }) }));
    expect(reg.registerModelVersion).toMatchObject({ versionNumber: 1, storagePath: `models/${model.id}/1/`, replayed: false });
    const v1 = reg.registerModelVersion.version;
    expect(v1).toMatchObject({
      stage: 'DEVELOPMENT',
      label: '1.0.0',
      reproducibility: {
        code: { repo: 'https://github.com/acme/fraud', commit: 'a'.repeat(40) },
        datasetVersions: ['s3://datasets/transactions@v3'],
        hyperparameters: { learning_rate: 0.05, max_depth: 6 },
        randomSeed: '18446744073709551615',
      },
      artifact: { format: 'ONNX', status: 'PENDING_UPLOAD', storagePath: `models/${model.id}/1/` },
      model: { id: model.id, name: model.name },
    });
    const v2 = ok(
      await t.request(RegisterModelVersionDocument, {
        input: registration({ modelId: model.id, artifact: { format: 'SAFETENSORS', uri: 's3://b/m', sha256: SHA('d'), sizeBytes: 2048 } }),
      }),
    ).registerModelVersion.version;
    expect(v2).toMatchObject({ version: 2, artifact: { status: 'READY', sizeBytes: 2048, sha256: SHA('d') } });

    const alias = ok(await t.request(SetModelAliasDocument, { input: { modelId: model.id, alias: 'champion', versionId: v1.id } }));
    expect(alias.setModelAlias.alias).toMatchObject({ name: 'champion', version: { id: v1.id }, updatedBy: 'admin' });

    const read = ok(await t.request(ModelDocument, { name: model.name })).model;
    expect(read?.latestVersion?.version).toBe(2);
    expect(read?.aliases.edges.map((e) => [e.node.name, e.node.version.version])).toEqual([['champion', 1]]);

    const version = ok(await t.request(ModelVersionDocument, { id: v1.id })).modelVersion;
    expect(version?.aliases.edges.map((e) => e.node.name)).toEqual(['champion']);

    const versions = ok(await t.request(ModelVersionsDocument, { name: model.name, first: 1 })).model;
    expect(versions?.versions).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(versions?.versions.edges[0].node.version).toBe(2);
    expect(versions?.version?.id).toBe(v1.id);
    const filtered = ok(await t.request(ModelVersionsDocument, { name: model.name, filter: { artifactStatus: 'READY' } })).model;
    expect(filtered?.versions.edges.map((e) => e.node.version)).toEqual([2]);
  });

  test('alias history answers what an alias pointed to at a given time', async () => {
    const model = await createModel();
    const ids = [];
    for (let i = 0; i < 2; i += 1) {
      ids.push(
        ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: model.id }) })).registerModelVersion.version.id,
      );
    }
    ok(await t.request(SetModelAliasDocument, { input: { modelId: model.id, alias: 'champion', versionId: ids[0] } }));
    await new Promise((r) => setTimeout(r, 25));
    const at = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 25));
    ok(await t.request(SetModelAliasDocument, { input: { modelId: model.id, alias: 'champion', versionId: ids[1] } }));
    const history = ok(await t.request(AliasHistoryDocument, { name: model.name, alias: 'champion', at })).model;
    expect(history?.current?.version).toBe(2);
    expect(history?.then?.version).toBe(1);
    expect(history?.aliasHistory.edges.map((e) => [e.node.previousVersion?.version ?? null, e.node.version?.version])).toEqual([
      [1, 2],
      [null, 1],
    ]);
    const deleted = ok(await t.request(DeleteModelAliasDocument, { input: { modelId: model.id, alias: 'champion' } }));
    expect(deleted.deleteModelAlias.alias.name).toBe('champion');
    expect(ok(await t.request(AliasHistoryDocument, { name: model.name, alias: 'champion', at })).model?.current).toBeNull();
  });

  test('updates, tags, filters and the audit trail', async () => {
    const model = await createModel();
    const updated = ok(await t.request(UpdateModelDocument, { input: { id: model.id, expectedRevision: 1, owner: 'fraud-ml' } }));
    expect(updated.updateModel.model).toMatchObject({ owner: 'fraud-ml', revision: 2 });
    const stale = await t.request(UpdateModelDocument, { input: { id: model.id, expectedRevision: 1, owner: 'x' } });
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors?.[0].extensions).toMatchObject({ field: 'expectedRevision', currentRevision: 2 });

    ok(await t.request(SetModelTagsDocument, { input: { modelId: model.id, tags: [{ key: 'team', value: 'fraud' }] } }));
    const found = ok(await t.request(ModelsDocument, { filter: { tags: [{ key: 'team', value: 'fraud' }] } })).models;
    expect(found.edges.map((e) => e.node.id)).toEqual([model.id]);

    const trail = ok(await t.request(AuditEventsDocument, { filter: { modelId: model.id }, direction: 'ASC' })).auditEvents;
    expect(trail.edges.map((e) => e.node.action)).toEqual(['model.created', 'model.updated', 'model.tags_set']);
    expect(trail.edges[1].node.payload).toMatchObject({ before: { owner: 'risk-ml' }, after: { owner: 'fraud-ml' } });
    // Nothing else writes meanwhile in this file, so these three events are consecutive links of the chain.
    expect(trail.edges[1].node.seq).toBe(trail.edges[0].node.seq + 1);
    expect(trail.edges[1].node.prevHash).toBe(trail.edges[0].node.hash);
    expect(ok(await t.request(VerifyAuditChainDocument)).verifyAuditChain).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  test('retries with the same idempotencyKey return the first version', async () => {
    const model = await createModel();
    const input = registration({ modelId: model.id, idempotencyKey: 'pipeline-run-99' });
    const first = ok(await t.request(RegisterModelVersionDocument, { input })).registerModelVersion;
    const retry = ok(await t.request(RegisterModelVersionDocument, { input })).registerModelVersion;
    expect(retry).toMatchObject({ replayed: true, versionNumber: first.versionNumber, version: { id: first.version.id } });
    const changed = await t.request(RegisterModelVersionDocument, { input: { ...input, label: 'other' } });
    expect(errorCode(changed)).toBe('CONFLICT');
  });
});

describe('a nested list pages through its cursors', () => {
  // A list asked for without any cursor reads no keys (pagination.ts): the same nodes must come back, and a cursor
  // selected anywhere (an edge's, the page info's end) must still page.
  type VersionsPage = {
    edges: Array<{ cursor?: string; node: { version: number } }>;
    pageInfo?: { endCursor: string | null; hasNextPage: boolean };
  };

  test('the same nodes with and without cursors; edge and page info cursors continue the list', async () => {
    const model = await createModel();
    for (let i = 0; i < 5; i += 1) ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: model.id }) }));
    const page = async (selection: string, after?: string) => {
      const answer = await t.post({
        query: `query($id: UUID!, $after: String) { model(id: $id) { versions(first: 2, after: $after) { ${selection} } } }`,
        variables: { id: model.id, after },
      });
      expect(answer.errors).toBeUndefined();
      return (answer.data as { model: { versions: VersionsPage } }).model.versions;
    };
    const numbers = (p: { edges: Array<{ node: { version: number } }> }) => p.edges.map((e) => e.node.version);

    expect(numbers(await page('edges { node { version } }'))).toEqual([5, 4]);
    const byEdge = await page('edges { cursor node { version } }');
    expect(numbers(byEdge)).toEqual([5, 4]);
    expect(numbers(await page('edges { node { version } }', byEdge.edges[1].cursor))).toEqual([3, 2]);

    const byPageInfo = await page('pageInfo { endCursor hasNextPage } edges { node { version } }');
    expect(byPageInfo.pageInfo).toMatchObject({ hasNextPage: true, endCursor: expect.any(String) });
    const next = await page('pageInfo { endCursor hasNextPage } edges { node { version } }', byPageInfo.pageInfo?.endCursor as string);
    expect(numbers(next)).toEqual([3, 2]);
    const last = await page('pageInfo { endCursor hasNextPage } edges { node { version } }', next.pageInfo?.endCursor as string);
    expect(numbers(last)).toEqual([1]);
    expect(last.pageInfo?.hasNextPage).toBe(false);
  });
});

describe('bad input is refused with a code naming the field, and nothing is written', () => {
  const auditCount = async () => (await t.database.db.query('SELECT count(*)::int AS n FROM audit_events'))[0].n as number;

  test.each([
    ['empty name', { name: '', owner: 'x' }, 'BAD_USER_INPUT', 'name'],
    ['name not a slug', { name: 'Fraud Detector', owner: 'x' }, 'BAD_USER_INPUT', 'name'],
    ['empty owner', { name: 'fine-name', owner: ' ' }, 'BAD_USER_INPUT', 'owner'],
  ])('createModel: %s', async (_case, input, code, field) => {
    const before = await auditCount();
    const res = await t.request(CreateModelDocument, { input });
    expect(errorCode(res)).toBe(code);
    expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(await auditCount()).toBe(before);
  });

  test('a duplicate model name is a CONFLICT', async () => {
    const model = await createModel();
    const res = await t.request(CreateModelDocument, { input: { name: model.name, owner: 'x' } });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors?.[0].extensions?.field).toBe('name');
  });

  test('unknown ids are NOT_FOUND (mutations) or null (queries); malformed ids are BAD_USER_INPUT', async () => {
    const unknown = '5b0c7a5e-0000-4000-8000-000000000000';
    expect(errorCode(await t.request(UpdateModelDocument, { input: { id: unknown, expectedRevision: 1 } }))).toBe('NOT_FOUND');
    expect(errorCode(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: unknown }) }))).toBe('NOT_FOUND');
    expect(ok(await t.request(ModelVersionDocument, { id: unknown })).modelVersion).toBeNull();
    expect(errorCode(await t.request(ModelVersionDocument, { id: 'not-a-uuid' }))).toBe('BAD_USER_INPUT');
  });

  test('ids are found whatever the case of their hex digits', async () => {
    const model = await createModel();
    expect(ok(await t.request(ModelDocument, { id: model.id.toUpperCase() })).model?.id).toBe(model.id);
  });

  test('registration: hyperparameters that are not a JSON object, a bad digest, a short commit', async () => {
    const model = await createModel();
    const before = await auditCount();
    const notJson = await t.post({
      query: 'mutation R($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { versionNumber } }',
      variables: { input: { ...registration({ modelId: model.id }), hyperparameters: 'learning_rate=0.1' } },
    });
    expect(errorCode(notJson)).toBe('BAD_USER_INPUT');
    expect(notJson.errors?.[0].message).toMatch(/hyperparameters/);

    const badDigest = await t.request(RegisterModelVersionDocument, {
      input: registration({ modelId: model.id, artifact: { format: 'ONNX', uri: 's3://x/y', sha256: 'abc123', sizeBytes: 1 } }),
    });
    expect(errorCode(badDigest)).toBe('BAD_USER_INPUT');
    expect(badDigest.errors?.[0].extensions?.field).toBe('artifact.sha256');

    const shortCommit = await t.request(RegisterModelVersionDocument, {
      input: registration({ modelId: model.id, code: { repo: 'r', commit: 'abc1234' } }),
    });
    expect(shortCommit.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code.commit' });
    expect(await auditCount()).toBe(before);
    expect(ok(await t.request(ModelDocument, { id: model.id })).model?.latestVersion).toBeNull();
  });

  test('page size is capped', async () => {
    const res = await t.request(ModelsDocument, { first: 501 });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(errorCode(await t.request(ModelsDocument, { after: 'garbage' }))).toBe('BAD_USER_INPUT');
  });

  test('internal errors are masked: no SQL, no stack', async () => {
    await t.database.asOwner('ALTER TABLE model_aliases RENAME TO model_aliases_hidden');
    try {
      const model = await createModel();
      const res = await t.request(ModelDocument, { id: model.id });
      expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
      const body = JSON.stringify(res.errors);
      expect(body).not.toMatch(/model_aliases|relation|SELECT|stack|at /i);
      expect(res.errors?.[0].message).toBe('Internal server error');
    } finally {
      await t.database.asOwner('ALTER TABLE model_aliases_hidden RENAME TO model_aliases');
    }
  });
});

describe('authentication and roles', () => {
  test('a missing, malformed or unknown token is UNAUTHENTICATED with HTTP 401', async () => {
    for (const token of [null, 'not-a-real-token']) {
      const res = await t.request(ViewerDocument, undefined, token);
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    const malformed = await t.post({ query: '{ viewer { subject } }' }, null, { authorization: 'Basic abc' });
    expect(errorCode(malformed)).toBe('UNAUTHENTICATED');
  });

  test('tokens are stored only as a hash, and a revoked token stops working', async () => {
    const created = ok(await t.request(CreateApiTokenDocument, { input: { subject: 'bob', role: 'VIEWER' } })).createApiToken;
    expect(created.token).toMatch(/^mg_/);
    expect(created.apiToken).toMatchObject({ subject: 'bob', role: 'VIEWER', createdBy: 'admin' });
    const stored = await t.database.db.query('SELECT token_hash FROM api_tokens WHERE id = $1', [created.apiToken.id]);
    expect(stored[0].token_hash).not.toContain(created.token);
    expect(JSON.stringify(await t.database.db.query('SELECT * FROM api_tokens'))).not.toContain(created.token);

    expect(ok(await t.request(ViewerDocument, undefined, created.token)).viewer).toMatchObject({ subject: 'bob', role: 'VIEWER' });
    ok(await t.request(RevokeApiTokenDocument, { input: { id: created.apiToken.id } }));
    expect(errorCode(await t.request(ViewerDocument, undefined, created.token))).toBe('UNAUTHENTICATED');
  });

  test('viewers read; contributors register; only admins manage tokens', async () => {
    const viewer = await t.tokenFor(Role.VIEWER);
    const contributor = await t.tokenFor(Role.CONTRIBUTOR, 'ci-bot');
    const model = await createModel();

    expect(ok(await t.request(ModelDocument, { id: model.id }, viewer)).model?.id).toBe(model.id);
    const refused = await t.request(CreateModelDocument, { input: { name: modelName('v'), owner: 'x' } }, viewer);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0].extensions).toMatchObject({ action: 'CREATE_MODEL', requiredLevel: 'CONTRIBUTE', level: 'VIEW' });
    expect(errorCode(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: model.id }) }, viewer))).toBe(
      'FORBIDDEN',
    );
    expect(
      errorCode(await t.request(SetModelAliasDocument, { input: { modelId: model.id, alias: 'x', versionId: model.id } }, viewer)),
    ).toBe('FORBIDDEN');

    const reg = ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: model.id }) }, contributor));
    expect(reg.registerModelVersion.version.createdBy).toBe('ci-bot');
    expect(errorCode(await t.request(CreateApiTokenDocument, { input: { subject: 'x', role: 'ADMIN' } }, contributor))).toBe('FORBIDDEN');
    expect(errorCode(await t.request(RevokeApiTokenDocument, { input: { id: model.id } }, contributor))).toBe('FORBIDDEN');
  });
});

describe('query limits', () => {
  test('a 20-level query is refused before any resolver runs', async () => {
    const model = await createModel();
    let selection = 'id';
    for (let i = 0; i < 9; i += 1) selection = `latestVersion { model { ${selection} } }`;
    const query = `{ model(id: "${model.id}") { ${selection} } }`;
    const before = t.database.queries();
    const res = await t.post({ query });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'depth' });
    expect(res.errors?.[0].message).toMatch(/depth 20 exceeds/);
    expect(res.data).toBeUndefined();
    expect(t.database.queries() - before).toBe(1); // the token lookup, nothing else
  });

  test('costly and alias-heavy queries are refused', async () => {
    const costly = await t.post({
      query: '{ models(first: 500) { edges { node { versions(first: 500) { edges { node { aliases(first: 500) { totalCount } } } } } } } }',
    });
    expect(costly.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost' });
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { subject }`).join(' ');
    const aliased = await t.post({ query: `{ ${aliases} }` });
    expect(aliased.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'aliases' });
  });

  test('a document with too many tokens is refused by the parser', async () => {
    const fields = Array.from({ length: 6000 }, () => '__typename').join(' ');
    const res = await t.post({ query: `{ ${fields} }` });
    expect(errorCode(res)).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors?.[0].message).toMatch(/tokens/);
  });
});
