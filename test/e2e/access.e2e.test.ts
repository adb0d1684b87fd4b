/**
 * Teams and access, as the README's worked example tells it, over real HTTP: a payments team, its
 * pipeline token and a protected `champion`, with visibility 'granted'; then what grants are keyed by
 * (the model's id), what lists show, what the audit trail records, and retiring a model.
 */
import {
  AccessOfDocument,
  AddTeamMemberDocument,
  AuditEventsDocument,
  CreateModelDocument,
  CreateTeamDocument,
  DeleteModelAliasDocument,
  GrantAccessDocument,
  ModelDocument,
  ModelsDocument,
  MyAccessDocument,
  ProtectAliasDocument,
  RegisterModelVersionDocument,
  RemoveTeamMemberDocument,
  RetireModelDocument,
  RevokeAccessDocument,
  SetModelAliasDocument,
  TeamsDocument,
  UpdateModelDocument,
} from '../generated/graphql';
import { Role } from '../../src/common/role';
import { DeploymentStrategy } from '../../src/modules/deployments/deployment.enums';
import { RiskTier } from '../../src/modules/models/model.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import { modelName, registration } from '../support/fixtures';
import { aucBaseline, caller, readyRegistration, stagedVersion } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';
import { healthzDuring, STALL_BOUND_MS } from '../support/stall';

const admin = caller('admin', Role.ADMIN);

type Row = Record<string, unknown>;
/** An audit event's payload, as the events of this file record it. */
const payload = (event: { payload?: unknown }) =>
  event.payload as { before: Row | null; after: Row | null; subject?: string; creatorGrant?: Row };

describe('with MODELGRAPH_VISIBILITY=granted', () => {
  let t: TestServer;
  let priya: string; // payments data scientist: a VIEWER token, MANAGE on the team's models through the team
  let pipeline: string; // the payments training pipeline: a VIEWER token with CONTRIBUTE on the model
  let rita: string; // risk team: sees only the risk team's models
  let paymentsTeam: string;
  let riskTeam: string;
  let fraud: { id: string; name: string; revision: number };

  beforeAll(async () => {
    t = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
    priya = await t.tokenFor(Role.VIEWER, 'priya');
    pipeline = await t.tokenFor(Role.VIEWER, 'payments-pipeline');
    rita = await t.tokenFor(Role.VIEWER, 'rita');

    // The worked example, step by step, as an ADMIN would paste it.
    paymentsTeam = ok(await t.request(CreateTeamDocument, { input: { name: 'payments', description: 'Payments ML' } })).createTeam.team.id;
    ok(await t.request(AddTeamMemberDocument, { input: { teamId: paymentsTeam, subject: 'priya' } }));
    riskTeam = ok(await t.request(CreateTeamDocument, { input: { name: 'risk' } })).createTeam.team.id;
    ok(await t.request(AddTeamMemberDocument, { input: { teamId: riskTeam, subject: 'rita' } }));

    fraud = ok(await t.request(CreateModelDocument, { input: { name: modelName('payments-fraud'), owner: 'payments' } })).createModel.model;
    ok(await t.request(GrantAccessDocument, { input: { modelId: fraud.id, teamId: paymentsTeam, level: 'MANAGE' } }));
    ok(await t.request(GrantAccessDocument, { input: { modelId: fraud.id, subject: 'payments-pipeline', level: 'CONTRIBUTE' } }));
    ok(await t.request(ProtectAliasDocument, { input: { modelId: fraud.id, pattern: 'champion' } }));

    const risk = ok(await t.request(CreateModelDocument, { input: { name: modelName('risk-score'), owner: 'risk' } })).createModel.model;
    ok(await t.request(GrantAccessDocument, { input: { modelId: risk.id, teamId: riskTeam, level: 'MANAGE' } }));
  });
  afterAll(() => t.close());

  test('the pipeline registers versions and moves candidate, but not the protected champion, and cannot retire', async () => {
    const version = ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: fraud.id }) }, pipeline))
      .registerModelVersion.version;
    ok(await t.request(SetModelAliasDocument, { input: { modelId: fraud.id, alias: 'candidate', versionId: version.id } }, pipeline));

    const champion = await t.request(
      SetModelAliasDocument,
      { input: { modelId: fraud.id, alias: 'champion', versionId: version.id } },
      pipeline,
    );
    expect(errorCode(champion)).toBe('FORBIDDEN');
    expect(champion.errors![0].message).toMatch(
      /alias "champion" is protected by the rule "champion" on this model: .*needs APPROVE; you have CONTRIBUTE/,
    );
    expect(champion.errors![0].extensions).toMatchObject({
      action: 'MOVE_PROTECTED_ALIAS',
      requiredLevel: 'APPROVE',
      level: 'CONTRIBUTE',
      protectedBy: { pattern: 'champion', modelId: fraud.id },
    });

    const retire = await t.request(RetireModelDocument, { input: { modelId: fraud.id, reason: 'oops' } }, pipeline);
    expect(errorCode(retire)).toBe('FORBIDDEN');
    expect(retire.errors![0].extensions).toMatchObject({ action: 'RETIRE', requiredLevel: 'MANAGE', level: 'CONTRIBUTE' });

    // The team member moves champion: MANAGE through the team.
    ok(await t.request(SetModelAliasDocument, { input: { modelId: fraud.id, alias: 'champion', versionId: version.id } }, priya));
    const mine = ok(await t.request(MyAccessDocument, { modelId: fraud.id }, pipeline)).myAccess;
    expect(mine.level).toBe('CONTRIBUTE');
    expect(mine.rights).toEqual(expect.arrayContaining(['REGISTER_VERSION', 'SET_ALIAS']));
    expect(mine.rights).not.toContain('MOVE_PROTECTED_ALIAS');
    expect(mine.rights).not.toContain('CREATE_MODEL'); // a right on all models, not on this one
  });

  test('another team does not see the payments model: NOT_FOUND, absent from lists, totals and the audit trail', async () => {
    expect(ok(await t.request(ModelDocument, { id: fraud.id }, rita)).model).toBeNull();
    expect(errorCode(await t.request(MyAccessDocument, { modelId: fraud.id }, rita))).toBe('NOT_FOUND');
    expect(errorCode(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: fraud.id }) }, rita))).toBe(
      'NOT_FOUND',
    );

    const ritas = ok(await t.request(ModelsDocument, { first: 1 }, rita)).models;
    expect(ritas.totalCount).toBe(1);
    expect(ritas.edges.map((e) => e.node.owner)).toEqual(['risk']);
    expect(ritas.pageInfo.hasNextPage).toBe(false); // filtered in SQL: the page and the total agree
    const all = ok(await t.request(ModelsDocument, { first: 1 })).models;
    expect(all.totalCount).toBeGreaterThanOrEqual(2);
    expect(all.pageInfo.hasNextPage).toBe(true);

    const events = ok(await t.request(AuditEventsDocument, { first: 100, filter: { modelId: fraud.id } }, rita)).auditEvents;
    expect(events.totalCount).toBe(0);
    const own = ok(await t.request(AuditEventsDocument, { first: 100 }, rita)).auditEvents;
    expect(own.edges.every((e) => e.node.modelId !== fraud.id)).toBe(true);
    expect(own.totalCount).toBe(own.edges.length);

    // The whole trail names every model: exported to ADMINs only.
    const denied = await fetch(`${t.baseUrl}/audit/export`, { headers: { authorization: `Bearer ${rita}` } });
    expect(denied.status).toBe(403);
    const allowed = await fetch(`${t.baseUrl}/audit/export`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(allowed.status).toBe(200);
    await allowed.text();
    // So do verifying the chain (its answer counts every event) and the signed checkpoints (the chain's head).
    for (const query of ['{ verifyAuditChain { eventsChecked } }', '{ auditCheckpoints { seq } }']) {
      const refused = await t.post({ query }, rita);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', action: 'READ_WHOLE_TRAIL', requiredRole: 'ADMIN' });
    }

    // Names are unique across the registry: a taken name is the one thing a hidden model shows, and nothing about it.
    const riskPipeline = await t.tokenFor(Role.CONTRIBUTOR, 'risk-pipeline');
    const create = `mutation { createModel(input: { name: "${fraud.name}", owner: "risk" }) { model { id } } }`;
    const taken = await t.post({ query: create }, riskPipeline);
    expect(taken.errors?.[0].extensions).toEqual({ code: 'CONFLICT', field: 'name' });
    expect(taken.errors?.[0].message).toBe(`a model named "${fraud.name}" already exists`);
  });

  test('a renamed model keeps its grants; a re-created name gets none of them', async () => {
    const model = ok(await t.request(CreateModelDocument, { input: { name: modelName('churn'), owner: 'payments' } })).createModel.model;
    ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, teamId: paymentsTeam, level: 'MANAGE' } }));
    const renamed = ok(
      await t.request(
        UpdateModelDocument,
        { input: { id: model.id, expectedRevision: model.revision, name: modelName('churn-v2') } },
        priya,
      ),
    ).updateModel.model;
    expect(renamed.id).toBe(model.id);
    expect(ok(await t.request(MyAccessDocument, { modelId: model.id }, priya)).myAccess.level).toBe('MANAGE');
    ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelName: renamed.name }) }, priya));

    // The old name, free again, is a new model: no grant carries over by name.
    const again = ok(await t.request(CreateModelDocument, { input: { name: model.name, owner: 'someone-else' } })).createModel.model;
    expect(again.id).not.toBe(model.id);
    expect(ok(await t.request(ModelDocument, { name: model.name }, priya)).model).toBeNull();
    expect(errorCode(await t.request(MyAccessDocument, { modelId: again.id }, priya))).toBe('NOT_FOUND');
    const grants = ok(await t.request(AccessOfDocument, { modelId: again.id })).accessOf.grants;
    expect(grants.filter((g) => g.modelId === again.id).map((g) => g.subject)).toEqual(['admin']); // the creator's grant only
  });

  test('grants and memberships take effect at once, and every change is in the audit trail', async () => {
    const model = ok(await t.request(CreateModelDocument, { input: { name: modelName('ltv'), owner: 'payments' } })).createModel.model;
    const grant = ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, teamId: riskTeam, level: 'VIEW' } })).grantAccess
      .grant;
    expect(ok(await t.request(ModelDocument, { id: model.id }, rita)).model?.id).toBe(model.id);
    const raised = ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, teamId: riskTeam, level: 'CONTRIBUTE' } }))
      .grantAccess.grant;
    expect(raised.id).toBe(grant.id); // one grant per (grantee, scope): its level changes
    expect(ok(await t.request(MyAccessDocument, { modelId: model.id }, rita)).myAccess.level).toBe('CONTRIBUTE');

    ok(await t.request(RemoveTeamMemberDocument, { input: { teamId: riskTeam, subject: 'rita' } }));
    expect(ok(await t.request(ModelDocument, { id: model.id }, rita)).model).toBeNull();
    ok(await t.request(AddTeamMemberDocument, { input: { teamId: riskTeam, subject: 'rita' } }));
    ok(await t.request(RevokeAccessDocument, { input: { grantId: grant.id } }));
    expect(ok(await t.request(ModelDocument, { id: model.id }, rita)).model).toBeNull();

    const trail = async (action: string) =>
      ok(await t.request(AuditEventsDocument, { first: 100, filter: { action } })).auditEvents.edges.map((e) => e.node);
    const granted = (await trail('access.granted')).filter((e) => e.subjectId === grant.id);
    expect(granted.map((e) => [e.actor, payload(e).before?.level ?? null, payload(e).after?.level])).toEqual(
      expect.arrayContaining([
        ['admin', null, 'VIEW'],
        ['admin', 'VIEW', 'CONTRIBUTE'],
      ]),
    );
    const revoked = (await trail('access.revoked')).filter((e) => e.subjectId === grant.id);
    expect(revoked.map((e) => [e.modelId, payload(e).before?.level, payload(e).after])).toEqual([[model.id, 'CONTRIBUTE', null]]);
    const members = [...(await trail('team.member_added')), ...(await trail('team.member_removed'))].filter(
      (e) => e.subjectId === riskTeam,
    );
    expect(members.map((e) => [e.action, payload(e).subject]).sort()).toEqual([
      ['team.member_added', 'rita'],
      ['team.member_added', 'rita'],
      ['team.member_removed', 'rita'],
    ]);
    expect((await trail('team.created')).map((e) => payload(e).after?.name)).toEqual(expect.arrayContaining(['payments', 'risk']));
    expect((await trail('alias.protected')).some((e) => e.modelId === fraud.id && payload(e).after?.pattern === 'champion')).toBe(true);
  });

  test('a protected-alias pattern cannot stall the server: matching is linear, stars are bounded', async () => {
    // The reproduction: a contributor protects a pattern of stars on its own model, then deletes a long alias. With
    // a backtracking regex, "a*******b" against 56 "a"s took 6.7 s, and /healthz waited with it.
    const mallory = await t.tokenFor(Role.CONTRIBUTOR, 'mallory');
    const own = ok(await t.request(CreateModelDocument, { input: { name: modelName('redos'), owner: 'mallory' } }, mallory)).createModel
      .model;
    ok(await t.request(ProtectAliasDocument, { input: { modelId: own.id, pattern: 'a*a*a*a*a*a*a*a*b' } }, mallory));
    const attack = await healthzDuring(t.baseUrl, 'deleteModelAlias against a*a*a*a*a*a*a*a*b (63 a)', () =>
      t.request(DeleteModelAliasDocument, { input: { modelId: own.id, alias: 'a'.repeat(63) } }, mallory),
    );
    // The alias is not protected by the pattern (it has no "b") and does not exist.
    expect(errorCode(attack.result)).toBe('NOT_FOUND');
    expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
    expect(attack.failures).toBe(0);
    // More stars than a rule needs, or stars side by side, are refused up front.
    for (const pattern of ['a*a*a*a*a*a*a*a*a*b', 'a**b']) {
      const refused = await t.request(ProtectAliasDocument, { input: { modelId: own.id, pattern } }, mallory);
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0].extensions).toMatchObject({ field: 'pattern' });
    }
  });

  test('teams and all-models grants are for ADMINs; the creator of a model manages it', async () => {
    const approver = await t.tokenFor(Role.APPROVER, 'amir');
    expect(errorCode(await t.request(CreateTeamDocument, { input: { name: 'rogue' } }, approver))).toBe('FORBIDDEN');
    expect(errorCode(await t.request(TeamsDocument, {}, approver))).toBe('FORBIDDEN');
    expect(errorCode(await t.request(AddTeamMemberDocument, { input: { teamId: paymentsTeam, subject: 'amir' } }, priya))).toBe(
      'FORBIDDEN',
    );
    // MANAGE on a model lets priya grant there, not everywhere.
    expect(errorCode(await t.request(GrantAccessDocument, { input: { allModels: true, subject: 'amir', level: 'VIEW' } }, priya))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await t.request(ProtectAliasDocument, { input: { allModels: true, pattern: 'prod-*' } }, priya))).toBe('FORBIDDEN');

    // Creating a model needs CONTRIBUTE on all models: a VIEWER token gets it from an all-models grant.
    const newcomer = await t.tokenFor(Role.VIEWER, 'nadia');
    expect(errorCode(await t.request(CreateModelDocument, { input: { name: modelName('nadia'), owner: 'payments' } }, newcomer))).toBe(
      'FORBIDDEN',
    );
    ok(await t.request(GrantAccessDocument, { input: { allModels: true, subject: 'nadia', level: 'CONTRIBUTE' } }));
    const created = ok(await t.request(CreateModelDocument, { input: { name: modelName('nadia'), owner: 'payments' } }, newcomer))
      .createModel.model;
    expect(ok(await t.request(MyAccessDocument, { modelId: created.id }, newcomer)).myAccess.level).toBe('MANAGE');
    const event = ok(await t.request(AuditEventsDocument, { first: 1, filter: { modelId: created.id, action: 'model.created' } }))
      .auditEvents.edges[0].node;
    expect(payload(event).creatorGrant).toMatchObject({ subject: 'nadia', modelId: created.id, level: 'MANAGE' });
    // An all-models grant makes every model visible: nadia now sees the payments model too.
    expect(ok(await t.request(ModelDocument, { id: fraud.id }, newcomer)).model?.id).toBe(fraud.id);
  });
});

describe('retiring a model', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  async function runningModel() {
    const s = t.services;
    const model = await s.models.create(admin, { name: modelName('retire'), owner: 'payments', riskTier: RiskTier.LOW });
    await aucBaseline(s, admin, model.id);
    const version = await stagedVersion(s, admin, model.id, []);
    await s.transitions.transition(admin, { versionId: version.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    const deployment = await s.deployments.record(admin, {
      versionId: version.id,
      environment: 'production',
      endpoint: 'https://serve.example/retire',
      strategy: DeploymentStrategy.DIRECT,
      trafficPercent: 100,
    });
    return { model, version, deployment };
  }

  test('refused while it runs; forced only by an ADMIN; afterwards read-only, readable, RETIRED', async () => {
    const { model, version, deployment } = await runningModel();
    const manager = await t.tokenFor(Role.VIEWER, 'mona');
    ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'mona', level: 'MANAGE' } }));

    const refused = await t.request(RetireModelDocument, { input: { modelId: model.id, reason: 'replaced' } }, manager);
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/still runs \(version 1 in PRODUCTION, ACTIVE deployment in production\)/);
    expect(refused.errors![0].extensions).toMatchObject({
      productionVersions: [{ id: version.id, version: 1 }],
      liveDeployments: [{ id: deployment.id, environment: 'production', status: 'ACTIVE' }],
    });
    const forcedByManager = await t.request(
      RetireModelDocument,
      { input: { modelId: model.id, reason: 'replaced', force: true } },
      manager,
    );
    expect(errorCode(forcedByManager)).toBe('FORBIDDEN');
    expect(errorCode(await t.request(RetireModelDocument, { input: { modelId: model.id, reason: '  ' } }))).toBe('BAD_USER_INPUT');
    expect(ok(await t.request(ModelDocument, { id: model.id })).model?.status).toBe('ACTIVE');

    const retired = ok(await t.request(RetireModelDocument, { input: { modelId: model.id, reason: 'replaced by v2', force: true } }))
      .retireModel.model;
    expect(retired).toMatchObject({
      status: 'RETIRED',
      retiredBy: 'admin',
      retirementReason: 'replaced by v2',
      revision: model.revision + 1,
    });
    expect(retired.retiredAt).toBeTruthy();
    const [event] = ok(await t.request(AuditEventsDocument, { first: 1, filter: { modelId: model.id, action: 'model.retired' } }))
      .auditEvents.edges;
    expect(event.node.payload).toMatchObject({
      forced: true,
      productionVersions: [{ id: version.id }],
      liveDeployments: [{ id: deployment.id }],
    });

    // Read-only: no change is taken, not even by an ADMIN; reads and grants still work.
    const update = await t.request(UpdateModelDocument, { input: { id: model.id, expectedRevision: retired.revision, description: 'x' } });
    expect(errorCode(update)).toBe('CONFLICT');
    expect(update.errors![0].message).toMatch(/is retired: it is read-only/);
    expect(errorCode(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: model.id }) }))).toBe('CONFLICT');
    expect(errorCode(await t.request(RetireModelDocument, { input: { modelId: model.id, reason: 'again' } }))).toBe('CONFLICT');
    expect(
      ok(await t.request(ModelsDocument, { filter: { status: 'RETIRED', owner: 'payments' } })).models.edges.map((e) => e.node.id),
    ).toContain(model.id);
    ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'auditor', level: 'VIEW' } }));
  });

  test('a model that runs nothing retires on MANAGE, with the reason recorded', async () => {
    const model = await t.services.models.create(admin, { name: modelName('idle'), owner: 'payments' });
    await t.services.versions.register(admin, readyRegistration(model.id));
    const owner = await t.tokenFor(Role.VIEWER, 'olga');
    ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'olga', level: 'MANAGE' } }));
    const retired = ok(await t.request(RetireModelDocument, { input: { modelId: model.id, reason: 'never shipped' } }, owner)).retireModel
      .model;
    expect(retired).toMatchObject({ status: 'RETIRED', retiredBy: 'olga', retirementReason: 'never shipped' });
    const [event] = ok(await t.request(AuditEventsDocument, { first: 1, filter: { modelId: model.id, action: 'model.retired' } }))
      .auditEvents.edges;
    expect(event.node.payload).toMatchObject({ forced: false, before: { status: 'ACTIVE' }, after: { status: 'RETIRED' } });
  });
});

describe('with MODELGRAPH_CREATOR_GRANT=false', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MODELGRAPH_CREATOR_GRANT: 'false' });
  });
  afterAll(() => t.close());

  test('the creator keeps only what its role gives it', async () => {
    const pipeline = await t.tokenFor(Role.CONTRIBUTOR, 'creator-pipeline');
    const model = ok(await t.request(CreateModelDocument, { input: { name: modelName('no-grant'), owner: 'payments' } }, pipeline))
      .createModel.model;
    expect(ok(await t.request(MyAccessDocument, { modelId: model.id }, pipeline)).myAccess.level).toBe('CONTRIBUTE');
    expect(ok(await t.request(AccessOfDocument, { modelId: model.id })).accessOf.grants.filter((g) => g.modelId === model.id)).toEqual([]);
    expect(errorCode(await t.request(RetireModelDocument, { input: { modelId: model.id, reason: 'no' } }, pipeline))).toBe('FORBIDDEN');
  });
});
