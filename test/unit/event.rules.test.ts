import {
  declaredKindOf,
  decodeEventCursor,
  encodeEventCursor,
  eventMatcher,
  EventKind,
  kindOf,
  matchesFilter,
} from '../../src/modules/events/event.rules';

describe('kindOf', () => {
  test.each([
    // By exact action.
    ['version.registered', EventKind.VERSION_REGISTERED],
    ['version.stage_changed', EventKind.STAGE_CHANGED],
    ['version.validated', EventKind.VALIDATION_COMPLETED],
    ['version.approved', EventKind.APPROVAL_RECORDED],
    ['version.rejected', EventKind.APPROVAL_RECORDED],
    ['monitoring.features_reported', EventKind.PRODUCTION_REPORTED],
    ['alert.raised', EventKind.ALERT_RAISED],
    ['alert.escalated', EventKind.ALERT_RAISED],
    ['recommendation.retrain', EventKind.RETRAINING_RECOMMENDED],
    ['recommendation.rollback', EventKind.ROLLBACK_RECOMMENDED],
    // By prefix.
    ['model.created', EventKind.MODEL_CHANGED],
    ['alias.set', EventKind.ALIAS_MOVED],
    ['deployment.ended', EventKind.DEPLOYMENT_CHANGED],
    ['metrics.logged', EventKind.METRICS_LOGGED],
    ['baseline.set', EventKind.POLICY_CHANGED],
    ['team.member_added', EventKind.ACCESS_CHANGED],
    ['token.revoked', EventKind.ACCESS_CHANGED],
    ['lineage.edges_added', EventKind.LINEAGE_CHANGED],
    ['monitoring.reference_set', EventKind.MONITORING_CHANGED],
    ['alert.resolved', EventKind.ALERT_CHANGED],
    ['artifact.uploaded', EventKind.ARTIFACT_CHANGED],
    ['legal_hold.placed', EventKind.POLICY_CHANGED],
    // OTHER, on purpose.
    ['webhook.paused', EventKind.OTHER],
    ['audit.break_acknowledged', EventKind.OTHER],
  ])('%s is %s', (action, kind) => {
    expect(kindOf(action)).toBe(kind);
    expect(declaredKindOf(action)).toBe(kind);
  });

  test('an exact action wins over its prefix', () => {
    expect(kindOf('model.retired')).toBe(EventKind.MODEL_RETIRED);
    expect(kindOf('model.updated')).toBe(EventKind.MODEL_CHANGED);
    expect(kindOf('alias.protected')).toBe(EventKind.ACCESS_CHANGED);
  });

  test('an action the maps do not name is OTHER, and declaredKindOf says it is not named', () => {
    for (const action of ['nothing.known', 'version.something_new', 'audit.other', 'modelx.created', '', '.', 'model']) {
      expect([action, kindOf(action)]).toEqual([action, action === 'model' ? EventKind.MODEL_CHANGED : EventKind.OTHER]);
    }
    expect(declaredKindOf('nothing.known')).toBeNull();
    expect(declaredKindOf('version.something_new')).toBeNull();
  });

  test("names of Object.prototype's members are not kinds", () => {
    for (const action of ['constructor', 'toString', '__proto__', 'hasOwnProperty.x', 'constructor.created']) {
      expect([action, kindOf(action)]).toEqual([action, EventKind.OTHER]);
    }
  });

  test('every kind it answers is an EventKind', () => {
    const kinds = new Set<string>(Object.values(EventKind));
    for (const action of ['model.retired', 'model.created', 'webhook.created', 'unknown']) expect(kinds.has(kindOf(action))).toBe(true);
  });
});

describe('event filters', () => {
  const model = '6F1C0E1A-0000-4000-8000-000000000001';
  test('models (any case) and kinds; empty lists match everything', () => {
    const match = eventMatcher({ modelIds: [model], kinds: [EventKind.STAGE_CHANGED] });
    expect(match({ modelId: model.toLowerCase(), kind: EventKind.STAGE_CHANGED })).toBe(true);
    expect(match({ modelId: model.toLowerCase(), kind: EventKind.OTHER })).toBe(false);
    expect(match({ modelId: null, kind: EventKind.STAGE_CHANGED })).toBe(false);
    expect(eventMatcher({ modelIds: [], kinds: [] })({ modelId: null, kind: EventKind.OTHER })).toBe(true);
    expect(matchesFilter({ kinds: [EventKind.DEPLOYMENT_CHANGED] }, { modelId: null, action: 'deployment.ended' })).toBe(true);
    expect(matchesFilter({ kinds: [EventKind.DEPLOYMENT_CHANGED] }, { modelId: null, action: 'webhook.created' })).toBe(false);
  });
});

test('event cursors round-trip; anything else is not one', () => {
  expect(decodeEventCursor(encodeEventCursor(42))).toBe(42);
  expect(decodeEventCursor('')).toBeNull();
  expect(decodeEventCursor(Buffer.from('event:-1').toString('base64url'))).toBeNull();
  expect(decodeEventCursor(Buffer.from('event:1234567890123456').toString('base64url'))).toBeNull();
});
