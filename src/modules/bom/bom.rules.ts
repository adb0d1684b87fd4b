import { createHash } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { LineageNodeKind } from '../../common/lineage';
import type { VersionCard } from '../cards/card.rules';
import { LineageDirection, MAX_DEPTH } from '../lineage/lineage.rules';
import { validateModelName } from '../models/model.rules';
import { signatureDownloadPath } from '../trust/signer.rules';

/** The media type of a CycloneDX JSON BOM, as the route answers it. */
export const BOM_MEDIA_TYPE = 'application/vnd.cyclonedx+json; version=1.6';

/** The namespace of the registry's own properties (`modelgraph:…`), as CycloneDX asks of a property taxonomy. */
const P = 'modelgraph';

/** A file of the version's artifact, as `artifact_files` holds it. */
export interface BomFile {
  path: string;
  sha256: string | null;
  sizeBytes: string | null;
}

/** A node of the version's upstream lineage, and the edges among them (the version's own node included). */
export interface BomLineageNode {
  id: string;
  kind: LineageNodeKind;
  naturalKey: string;
  name: string;
  properties: Record<string, unknown>;
  createdAt: Date;
}

export interface BomLineageEdge {
  from: string;
  to: string;
  relation: string;
}

/**
 * How far the BOM walks the version's upstream lineage: as deep as lineage allows, at most 1,000 nodes (more sets the
 * model's `modelgraph:lineage:truncated`).
 */
export const BOM_LINEAGE = { direction: LineageDirection.UPSTREAM, maxDepth: MAX_DEPTH, first: 1000 } as const;

/** A verified OMS signature on the version (`model_signatures`), without its bundle. */
export interface BomSignature {
  id: string;
  versionId: string;
  method: string;
  signer: string;
  signerIssuer: string | null;
  signedAt: Date;
  attachedAt: Date;
  rootDigest: string;
  bundleSha256: string;
}

/** Everything a BOM is made of: what the registry holds about one version. */
export interface BomInputs {
  model: { id: string; name: string };
  version: {
    id: string;
    version: number;
    description: string;
    createdAt: Date;
    codeRepo: string;
    codeCommit: string;
    datasetVersions: string[];
    environmentImageDigest: string | null;
    environmentPackageLock: string | null;
    artifactFormat: string;
    artifactLayout: string;
    artifactStatus: string;
    artifactSha256: string | null;
    artifactSizeBytes: string | null;
  };
  /** The artifact's files (a single file is a folder of one, named `artifact`). */
  files: BomFile[];
  /** The version's upstream lineage: the nodes reached (the version's own not among them) and the edges among them. */
  lineage: { nodes: BomLineageNode[]; edges: BomLineageEdge[]; truncated: boolean };
  signatures: BomSignature[];
  /**
   * The version's model card (the cards module) and its latest validation, to become `metadata.component.modelCard`
   * (CycloneDX 1.6 `modelCard`, see `modelCardOf`); absent or with no section written: no `modelCard`.
   */
  modelCard?: VersionCard;
}

/**
 * The model name and version number a BOM's address names, or null when they cannot name one (not a model name, not
 * a version number from 1 to 2^31 - 1): such an address is NOT_FOUND without asking the database.
 */
export function bomTarget(modelName: string, versionNumber: string): { modelName: string; version: number } | null {
  try {
    validateModelName(modelName);
  } catch {
    return null;
  }
  if (!/^[1-9][0-9]{0,9}$/.test(versionNumber)) return null;
  const version = Number(versionNumber);
  return version <= 2_147_483_647 ? { modelName, version } : null;
}

// ---- the package lock ----

/** A package pinned by the lock: `name==version` lines of a pip requirements lock (pip-compile, `pip freeze`). */
export interface LockedPackage {
  name: string;
  version: string;
  /** The `--hash=sha256:…` digests the line pins, sorted. */
  sha256: string[];
}

const PIN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9!+._-]+)\s*(?:;.*)?$/;
const HASH = /--hash[=\s]+sha256:([0-9a-f]{64})/g;

/**
 * The packages a lock pins, when it is a pip requirements lock: every `name==version` line (continued lines joined,
 * comments and options dropped), its name normalised as PEP 503 says (what the `pkg:pypi` PURL uses). A lock in
 * another format pins nothing this reads: the BOM then holds the lock only as a file with its digest. Sorted by name
 * and version, each once.
 */
export function lockedPackages(lock: string): LockedPackage[] {
  const joined = lock.replace(/\\\r?\n/g, ' ');
  const found = new Map<string, LockedPackage>();
  for (const raw of joined.split(/\r?\n/)) {
    const hashes = [...raw.matchAll(HASH)].map((m) => m[1]).sort();
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .replace(/\s--?[a-z][a-z-]*(?:[=\s]+\S+)?/g, '')
      .trim();
    const pin = PIN.exec(line);
    if (!pin) continue;
    const name = pin[1].toLowerCase().replace(/[-_.]+/g, '-');
    const key = `${name}@${pin[2]}`;
    const known = found.get(key);
    found.set(key, { name, version: pin[2], sha256: [...new Set([...(known?.sha256 ?? []), ...hashes])].sort() });
  }
  return [...found.values()].sort((a, b) => (a.name === b.name ? cmp(a.version, b.version) : cmp(a.name, b.name)));
}

// ---- the BOM ----

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The bom-ref of a lineage node, or of the fact of the version's tuple that is one: `<kind>:<natural key>`. */
export const refOf = (kind: string, naturalKey: string): string => `${kind.toLowerCase()}:${naturalKey}`;

const property = (name: string, value: string) => new Models.Property(`${P}:${name}`, value);
const hashes = (hex: string | null): Models.HashDictionary => new Models.HashDictionary(hex ? [[Enums.HashAlgorithm['SHA-256'], hex]] : []);

/**
 * A URL a CycloneDX external reference may carry (an `iri-reference`): an absolute http(s), git or ssh URL without
 * characters an IRI refuses. A repository named otherwise (`git@host:org/repo`) is kept in the component's name only.
 */
function referenceUrl(text: string): string | null {
  if (!/^(https?|git|ssh|git\+https|git\+ssh):\/\/[^\s<>"{}|\\^`]+$/.test(text)) return null;
  return URL.canParse(text) ? text : null;
}

/** `registry/name@sha256:<hex>` → its name and digest (a bare `sha256:<hex>` has no name). */
function imageParts(digest: string): { name: string; hex: string } {
  const at = digest.lastIndexOf('@');
  const hex = digest.slice(digest.lastIndexOf(':') + 1);
  return { name: at > 0 ? digest.slice(0, at) : digest, hex };
}

/** What kind of CycloneDX component a lineage node is, or null for the steps between them (runs, jobs, experiments). */
function componentType(kind: LineageNodeKind): Enums.ComponentType | null {
  switch (kind) {
    case 'DATASET':
    case 'DATASET_VERSION':
    case 'FEATURE':
      return Enums.ComponentType.Data;
    case 'MODEL_VERSION':
      return Enums.ComponentType.MachineLearningModel;
    case 'CODE_COMMIT':
      return Enums.ComponentType.Application;
    case 'ENVIRONMENT':
      return Enums.ComponentType.Container;
    default:
      return null;
  }
}

/**
 * For every node kept as a component (and the version itself), the components it was made from: the nodes it has an
 * edge from, looking through the nodes that are no component (a training run between a dataset and the model), each
 * once, sorted. Pure graph work over the walk's edges; a cycle ends where it began, and never goes through the subject.
 */
export function dependenciesOf(subject: string, kept: ReadonlySet<string>, edges: readonly BomLineageEdge[]): Map<string, string[]> {
  const inputs = new Map<string, string[]>();
  for (const e of edges) inputs.set(e.to, [...(inputs.get(e.to) ?? []), e.from]);
  const out = new Map<string, string[]>();
  for (const node of [subject, ...kept]) {
    const found = new Set<string>();
    const seen = new Set<string>([node, subject]);
    const queue = [...(inputs.get(node) ?? [])];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      if (kept.has(next)) found.add(next);
      else queue.push(...(inputs.get(next) ?? []));
    }
    out.set(node, [...found].sort(cmp));
  }
  return out;
}

/**
 * The version's BOM as the library's models: the model (`metadata.component`, a `machine-learning-model`) with its
 * artifact's files as `file` components, the datasets as `data` components, the training code and its environment,
 * the packages the lock pins, the upstream lineage's other models, and `dependencies` from the lineage edges. No
 * serial number and no clock: `serializeBom` derives the first, and `metadata.timestamp` is the registry's (`bomTimestamp`).
 */
export function buildBom(inputs: BomInputs): Models.Bom {
  const { model, version } = inputs;
  const subjectRef = refOf('MODEL_VERSION', version.id);
  const components = new Map<string, Models.Component>();
  const lineageIdToRef = new Map<string, string>([[version.id, subjectRef]]);

  // The subject: the model version, its artifact's digest, and every file of it with its own.
  const subject = new Models.Component(Enums.ComponentType.MachineLearningModel, model.name, {
    bomRef: subjectRef,
    version: String(version.version),
    description: version.description || undefined,
    hashes: hashes(version.artifactSha256),
    licenses: new Models.LicenseRepository(
      hasCard(inputs) && inputs.modelCard?.sections.license ? [new Models.LicenseExpression(inputs.modelCard.sections.license)] : [],
    ),
    properties: new Models.PropertyRepository([
      property('model:id', model.id),
      property('version:id', version.id),
      property('artifact:format', version.artifactFormat),
      property('artifact:layout', version.artifactLayout),
      property('artifact:status', version.artifactStatus),
      ...(version.artifactSizeBytes === null ? [] : [property('artifact:sizeBytes', version.artifactSizeBytes)]),
      ...(version.artifactSha256 === null
        ? []
        : [property(version.artifactLayout === 'FOLDER' ? 'artifact:rootDigest' : 'artifact:sha256', version.artifactSha256)]),
      ...(inputs.lineage.truncated ? [property('lineage:truncated', 'true')] : []),
    ]),
    components: new Models.ComponentRepository(
      inputs.files.map(
        (f) =>
          new Models.Component(Enums.ComponentType.File, f.path, {
            bomRef: `${subjectRef}#file:${f.path}`,
            hashes: hashes(f.sha256),
            properties: new Models.PropertyRepository(f.sizeBytes === null ? [] : [property('file:sizeBytes', f.sizeBytes)]),
          }),
      ),
    ),
    externalReferences: new Models.ExternalReferenceRepository(
      inputs.signatures.map(
        (s) =>
          new Models.ExternalReference(signatureDownloadPath(s.versionId, s.id), Enums.ExternalReferenceType.DigitalSignature, {
            hashes: hashes(s.bundleSha256),
            comment: `OMS signature ${s.id} (${s.method}) by ${s.signer}${s.signerIssuer ? ` (issuer ${s.signerIssuer})` : ''}, signed ${s.signedAt.toISOString()}, root digest ${s.rootDigest}`,
          }),
      ),
    ),
  });

  const add = (ref: string, make: () => Models.Component): Models.Component => {
    const known = components.get(ref);
    if (known) return known;
    const made = make();
    components.set(ref, made);
    return made;
  };

  // The tuple's facts first: they are the version's own inputs (the lineage holds them too, under the same refs).
  const codeRef = refOf('CODE_COMMIT', `${version.codeRepo}@${version.codeCommit}`);
  const vcs = referenceUrl(version.codeRepo);
  add(
    codeRef,
    () =>
      new Models.Component(Enums.ComponentType.Application, version.codeRepo, {
        bomRef: codeRef,
        version: version.codeCommit,
        description: 'the training code, at the commit the version was built from',
        externalReferences: new Models.ExternalReferenceRepository(
          vcs ? [new Models.ExternalReference(vcs, Enums.ExternalReferenceType.VCS, { comment: `commit ${version.codeCommit}` })] : [],
        ),
        properties: new Models.PropertyRepository([property('code:repo', version.codeRepo), property('code:commit', version.codeCommit)]),
      }),
  );
  const tupleRefs = [codeRef];
  for (const dataset of [...new Set(version.datasetVersions)].sort(cmp)) {
    const ref = refOf('DATASET_VERSION', dataset);
    tupleRefs.push(ref);
    add(
      ref,
      () =>
        new Models.Component(Enums.ComponentType.Data, dataset, {
          bomRef: ref,
          properties: new Models.PropertyRepository([property('dataset:version', dataset), property('dataset:trainedOn', 'true')]),
        }),
    );
  }
  if (version.environmentImageDigest) {
    const digest = version.environmentImageDigest;
    const ref = refOf('ENVIRONMENT', digest);
    tupleRefs.push(ref);
    const { name, hex } = imageParts(digest);
    add(
      ref,
      () =>
        new Models.Component(Enums.ComponentType.Container, name, {
          bomRef: ref,
          version: `sha256:${hex}`,
          description: 'the training environment: the container image, by digest',
          hashes: hashes(hex),
          properties: new Models.PropertyRepository([property('environment:imageDigest', digest)]),
        }),
    );
  }
  const lockDeps: string[] = [];
  if (version.environmentPackageLock) {
    const lock = version.environmentPackageLock;
    const lockSha = sha256(lock);
    const ref = refOf('ENVIRONMENT', `lock:sha256:${lockSha}`);
    tupleRefs.push(ref);
    for (const p of lockedPackages(lock)) {
      const pref = `pkg:pypi/${p.name}@${p.version}`;
      lockDeps.push(pref);
      add(
        pref,
        () =>
          new Models.Component(Enums.ComponentType.Library, p.name, {
            bomRef: pref,
            version: p.version,
            purl: pref,
            properties: new Models.PropertyRepository(p.sha256.map((h) => property('package:distributionSha256', h))),
          }),
      );
    }
    add(
      ref,
      () =>
        new Models.Component(Enums.ComponentType.File, 'package lock', {
          bomRef: ref,
          description: 'the training environment: the package lock registered with the version, by digest',
          hashes: hashes(lockSha),
          properties: new Models.PropertyRepository([
            property('environment:packageLock:sha256', lockSha),
            property('environment:packageLock:length', String(lock.length)),
          ]),
        }),
    );
  }

  // The upstream lineage: each node that is a component, under the ref of its kind and natural key.
  for (const node of inputs.lineage.nodes) {
    const type = componentType(node.kind);
    if (type === null) continue;
    const ref = refOf(node.kind, node.naturalKey);
    lineageIdToRef.set(node.id, ref);
    const c = add(ref, () => {
      const props = [property('lineage:kind', node.kind)];
      if (node.kind === 'MODEL_VERSION') props.push(property('version:id', node.naturalKey));
      const made = new Models.Component(type, node.name, { bomRef: ref, properties: new Models.PropertyRepository(props) });
      return made;
    });
    c.properties.add(property('lineage:nodeId', node.id));
  }

  // Dependencies: the lineage's edges between components (through the steps that are none), and the tuple's.
  const kept = new Set([...lineageIdToRef.keys()].filter((id) => id !== version.id));
  const deps = dependenciesOf(version.id, kept, inputs.lineage.edges);
  const dependsOn = new Map<string, Set<string>>([[subjectRef, new Set(tupleRefs)]]);
  for (const [id, from] of deps) {
    const ref = lineageIdToRef.get(id) as string;
    const set = dependsOn.get(ref) ?? new Set<string>();
    for (const f of from) set.add(lineageIdToRef.get(f) as string);
    dependsOn.set(ref, set);
  }
  if (version.environmentPackageLock) {
    const lockRef = refOf('ENVIRONMENT', `lock:sha256:${sha256(version.environmentPackageLock)}`);
    dependsOn.set(lockRef, new Set([...(dependsOn.get(lockRef) ?? []), ...lockDeps]));
  }
  const byRef = new Map<string, Models.Component>([[subjectRef, subject], ...components]);
  for (const [ref, on] of dependsOn) {
    const c = byRef.get(ref);
    if (!c) continue;
    for (const d of on) {
      const target = byRef.get(d);
      if (target && d !== ref) c.dependencies.add(target.bomRef);
    }
  }

  const bom = new Models.Bom({
    version: 1,
    metadata: new Models.Metadata({
      timestamp: bomTimestamp(inputs),
      component: subject,
      tools: new Models.Tools({
        components: new Models.ComponentRepository([
          new Models.Component(Enums.ComponentType.Application, 'modelgraph', {
            description: 'the model registry that holds the facts of this BOM',
          }),
        ]),
      }),
      properties: new Models.PropertyRepository([property('bom:source', 'registry')]),
    }),
    components: new Models.ComponentRepository(components.values()),
  });
  return bom;
}

/**
 * `metadata.timestamp`: the newest fact the BOM holds, from the registry: the version's registration, a signature's
 * attachment, the creation of an upstream lineage node; never the clock at the time of the request.
 */
export function bomTimestamp(inputs: BomInputs): Date {
  const card = hasCard(inputs) ? inputs.modelCard : undefined;
  const times = [
    inputs.version.createdAt.getTime(),
    ...(card?.updatedAt ? [card.updatedAt.getTime()] : []),
    ...(card?.validation ? [card.validation.createdAt.getTime()] : []),
    ...inputs.signatures.map((s) => s.attachedAt.getTime()),
    ...inputs.lineage.nodes.map((n) => n.createdAt.getTime()),
  ];
  return new Date(Math.max(...times));
}

const normalizerFactory = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6);

/**
 * The library's JSON serializer, with the model card added to the model component after its normalise step:
 * @cyclonedx/cyclonedx-library 10.3 has no model for `modelCard`, so it is written in its 1.6 JSON form (`modelCardOf`).
 */
class ModelCardJsonSerializer extends Serialize.JsonSerializer {
  constructor(private readonly modelCard: ModelCardJson | null) {
    super(normalizerFactory);
  }

  protected override _normalize(...args: Parameters<Serialize.JsonSerializer['_normalize']>): Serialize.JSON.Types.Normalized.Bom {
    const normalized = super._normalize(...args);
    const component = normalized.metadata?.component as
      (Serialize.JSON.Types.Normalized.Component & { modelCard?: ModelCardJson }) | undefined;
    if (this.modelCard && component) component.modelCard = this.modelCard;
    return normalized;
  }
}

/** The version's serial number: a UUID (RFC 9562 version 8, name-based) from the SHA-256 of its id and the BOM's text. */
export function derivedSerialNumber(versionId: string, unnumbered: string): string {
  const h = createHash('sha256').update(`modelgraph-bom\0${versionId}\0${unnumbered}`, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x80; // version 8
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 9562 variant
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * The BOM as CycloneDX 1.6 JSON, byte for byte the same for the same inputs: the library's serializer with its lists
 * sorted, two-space indented, and the serial number derived from the version's id and everything else the BOM says.
 */
export function serializeBom(inputs: BomInputs): string {
  const bom = buildBom(inputs);
  const serializer = new ModelCardJsonSerializer(modelCardOf(inputs));
  const options = { sortLists: true, space: 2 };
  bom.serialNumber = derivedSerialNumber(inputs.version.id, serializer.serialize(bom, options));
  return `${serializer.serialize(bom, options)}\n`;
}

// ---- the model card ----

/** A property of the 1.6 JSON (`modelCard.properties`, `environmentalConsiderations.properties`). */
interface PropertyJson {
  name: string;
  value: string;
}

/** `modelCard` as CycloneDX 1.6 JSON defines it: the fields the registry fills, each optional as in the schema. */
export interface ModelCardJson {
  'bom-ref': string;
  modelParameters?: {
    approach?: { type: string };
    task?: string;
    datasets?: Array<{ ref: string }>;
  };
  quantitativeAnalysis?: { performanceMetrics: Array<{ type: string; value?: string; slice?: string }> };
  considerations?: {
    users?: string[];
    useCases?: string[];
    technicalLimitations?: string[];
    performanceTradeoffs?: string[];
    ethicalConsiderations?: Array<{ name: string; mitigationStrategy?: string }>;
    environmentalConsiderations?: { properties: PropertyJson[] };
    fairnessAssessments?: Array<{ groupAtRisk: string; benefits?: string; harms?: string; mitigationStrategy?: string }>;
  };
  properties: PropertyJson[];
}

/** Whether the version's card has a section written: a card never edited, or emptied, gives the BOM no `modelCard`. */
function hasCard(inputs: BomInputs): boolean {
  const sections = inputs.modelCard?.sections ?? {};
  return Object.values(sections).some((v) => (Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined && v !== ''));
}

const some = <T>(list: T[] | undefined): T[] | undefined => (list && list.length > 0 ? list : undefined);
/** The object without its undefined values, or undefined when nothing is left (no empty objects in the BOM). */
function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(kept).length > 0 ? kept : undefined;
}
const cardProperty = (name: string, value: string): PropertyJson => ({ name: `${P}:${name}`, value });

/**
 * The model component's `modelCard` (CycloneDX 1.6), or null when the card has no section written:
 * - considerations: useCases, users, technicalLimitations, performanceTradeoffs, ethicalConsiderations ({ name,
 *   mitigationStrategy }) and fairnessAssessments ({ groupAtRisk, benefits, harms, mitigationStrategy }) as the card
 *   holds them, in its order; environmentalConsiderations (an object of energy figures in 1.6) holds the card's text as
 *   its property `modelgraph:card:environmentalConsiderations`;
 * - modelParameters: approach.type, task, and datasets: a `ref` to each data component of the BOM;
 * - quantitativeAnalysis.performanceMetrics: each check of the latest validation (its metric, the candidate's value),
 *   then each fairness assessment's metric and value with its group as the `slice`;
 * - properties (`modelgraph:…`) for what 1.6 has no field for: the card's revision and last edit, out-of-scope uses,
 *   the data description, caveats and recommendations, owners, the license (also the component's `licenses`), the data
 *   each fairness value was measured on, and the validation's time, verdict and each check against its baseline.
 */
export function modelCardOf(inputs: BomInputs): ModelCardJson | null {
  const card = inputs.modelCard;
  if (!card || !hasCard(inputs)) return null;
  const s = card.sections;
  const subjectRef = refOf('MODEL_VERSION', inputs.version.id);
  const datasets = new Set<string>(inputs.version.datasetVersions.map((d) => refOf('DATASET_VERSION', d)));
  for (const n of inputs.lineage.nodes) if (componentType(n.kind) === Enums.ComponentType.Data) datasets.add(refOf(n.kind, n.naturalKey));
  const checks = card.validation?.checks ?? [];
  const fairness = s.fairnessAssessments ?? [];
  const properties: PropertyJson[] = [cardProperty('card:revision', String(card.revision))];
  if (card.updatedAt) properties.push(cardProperty('card:updatedAt', card.updatedAt.toISOString()));
  for (const u of s.outOfScopeUses ?? []) properties.push(cardProperty('card:outOfScopeUse', u));
  if (s.dataDescription) properties.push(cardProperty('card:dataDescription', s.dataDescription));
  for (const c of s.caveatsAndRecommendations ?? []) properties.push(cardProperty('card:caveatOrRecommendation', c));
  for (const o of s.owners ?? []) properties.push(cardProperty('card:owner', o.contact ? `${o.name} <${o.contact}>` : o.name));
  if (s.license) properties.push(cardProperty('card:license', s.license));
  for (const f of fairness)
    if (f.measuredOn)
      properties.push(
        cardProperty(
          'card:fairness:measuredOn',
          JSON.stringify({ groupAtRisk: f.groupAtRisk, metric: f.metric, measuredOn: f.measuredOn }),
        ),
      );
  if (card.validation) {
    properties.push(
      cardProperty('validation:createdAt', card.validation.createdAt.toISOString()),
      cardProperty('validation:passed', String(card.validation.passed)),
      ...checks.map((c) =>
        cardProperty(
          'validation:check',
          JSON.stringify({
            metric: c.metric,
            comparator: c.comparator,
            candidateValue: c.candidateValue,
            baselineValue: c.baselineValue,
            passed: c.passed,
          }),
        ),
      ),
    );
  }
  const metrics = [
    ...checks.map((c) => ({ type: c.metric, value: c.candidateValue === null ? undefined : String(c.candidateValue) })),
    ...fairness
      .filter((f) => f.metric !== null && f.value !== null)
      .map((f) => ({ type: f.metric as string, value: String(f.value), slice: f.groupAtRisk })),
  ].map((x) => compact(x) as { type: string; value?: string; slice?: string });
  return {
    'bom-ref': `${subjectRef}#model-card`,
    modelParameters: compact({
      approach: s.approach ? { type: s.approach } : undefined,
      task: s.task || undefined,
      datasets: some([...datasets].sort(cmp).map((ref) => ({ ref }))),
    }),
    quantitativeAnalysis: metrics.length > 0 ? { performanceMetrics: metrics } : undefined,
    considerations: compact({
      users: some(s.users),
      useCases: some(s.useCases),
      technicalLimitations: some(s.technicalLimitations),
      performanceTradeoffs: some(s.performanceTradeoffs),
      ethicalConsiderations: some(
        (s.ethicalConsiderations ?? []).map(
          (e) => compact({ name: e.name, mitigationStrategy: e.mitigationStrategy ?? undefined }) as { name: string },
        ),
      ),
      environmentalConsiderations: s.environmentalConsiderations
        ? { properties: [cardProperty('card:environmentalConsiderations', s.environmentalConsiderations)] }
        : undefined,
      fairnessAssessments: some(
        fairness.map(
          (f) =>
            compact({
              groupAtRisk: f.groupAtRisk,
              benefits: f.benefits ?? undefined,
              harms: f.harms ?? undefined,
              mitigationStrategy: f.mitigationStrategy ?? undefined,
            }) as { groupAtRisk: string },
        ),
      ),
    }),
    properties,
  };
}
