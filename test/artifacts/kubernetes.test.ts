import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { configVariables } from '../support/config-variables';

/**
 * docker/kubernetes/ is never applied here (no cluster): what can be checked without one is that it agrees with the
 * server it deploys. Every variable it sets is one src/config.ts reads, every probe asks a route src/server/app.ts
 * serves on the port the server listens on, the selectors find the Deployment's pods, and the signing key is mounted
 * where the server looks for it.
 */

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const DIR = 'docker/kubernetes';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML, checked field by field below */
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};

function loadManifests(): { file: string; manifest: Manifest }[] {
  const files = fs
    .readdirSync(path.join(root, DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return files.flatMap((file) =>
    parseAllDocuments(read(path.join(DIR, file))).flatMap((doc) => {
      if ('errors' in doc && doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const manifest = doc.toJS() as Manifest | null;
      return manifest ? [{ file, manifest }] : [];
    }),
  );
}

const entries = loadManifests();
const manifests = entries.map((e) => e.manifest);
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const one = (kind: string): Manifest => {
  const found = ofKind(kind);
  expect(found.map((m) => `${m.kind}/${m.metadata.name}`)).toHaveLength(1);
  return found[0];
};
const named = (kind: string, name: string): Manifest | undefined => manifests.find((m) => m.kind === kind && m.metadata.name === name);
/** A ConfigMap's or Secret's keys and values (data is base64, stringData plain). */
function dataOf(m: Manifest): Record<string, string> {
  const decoded = Object.fromEntries(
    Object.entries(m.data ?? {}).map(([k, v]) => [k, m.kind === 'Secret' ? Buffer.from(String(v), 'base64').toString() : String(v)]),
  );
  return { ...decoded, ...Object.fromEntries(Object.entries(m.stringData ?? {}).map(([k, v]) => [k, String(v)])) };
}

const deployment = () => one('Deployment');
const podSpec = () => deployment().spec.template.spec;
/** Every container that runs the server's configuration: the Deployment's, and a Job's if one is added. */
const containers = (): any[] =>
  [...ofKind('Deployment'), ...ofKind('Job')].flatMap((m) => [
    ...(m.spec.template.spec.initContainers ?? []),
    ...m.spec.template.spec.containers,
  ]);
const server = () => {
  const list = podSpec().containers;
  expect(list).toHaveLength(1);
  return list[0];
};

/** What the container's environment holds: its env values, and every key of the ConfigMaps and Secrets it takes whole. */
function environmentOf(container: any): Map<string, { value?: string; from: string }> {
  const env = new Map<string, { value?: string; from: string }>();
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    expect(source.prefix).toBeUndefined();
    const m = named(kind, ref.name);
    if (!m) throw new Error(`${container.name}: envFrom names ${kind} ${ref.name}, which docker/kubernetes/ does not hold`);
    for (const [key, value] of Object.entries(dataOf(m))) env.set(key, { value, from: `${kind} ${ref.name}` });
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom) {
      const ref = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
      const kind = e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap';
      if (!ref) throw new Error(`${e.name}: only secretKeyRef and configMapKeyRef are checked`);
      const m = named(kind, ref.name);
      if (!m || !(ref.key in dataOf(m))) throw new Error(`${e.name}: ${kind} ${ref.name} has no key ${ref.key}`);
      env.set(e.name, { value: dataOf(m)[ref.key], from: `env ${e.name}` });
    } else {
      env.set(e.name, { value: String(e.value), from: `env ${e.name}` });
    }
  }
  return env;
}

/** A container port given by number or by name, as a number. */
function portNumber(container: any, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p: any) => p.name === port)?.containerPort;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('the extraction of the variables src/config.ts reads', () => {
  test('finds each way config.ts reads one, and nothing only mentioned in comments or messages', () => {
    const sample = [
      "const a = env.LOG_LEVEL || 'info';",
      "const b = env['HOST'];",
      "port: int(env, 'PORT', 4000, 65535),",
      "visibility: oneOf(env, 'MODELGRAPH_VISIBILITY', ['all'] as const, 'all'),",
      '/** MODELGRAPH_IN_A_DOC_COMMENT is documented here */',
      '// MODELGRAPH_IN_A_LINE_COMMENT, env.MODELGRAPH_COMMENTED_OUT',
      "throw new StartupError('set MODELGRAPH_IN_A_MESSAGE first');",
    ].join('\n');
    expect([...configVariables(sample)].sort()).toEqual(['HOST', 'LOG_LEVEL', 'MODELGRAPH_VISIBILITY', 'PORT']);
  });

  test('on src/config.ts, finds the variables read through each helper', () => {
    const names = configVariables(read('src/config.ts'));
    // env.X, int(), oneOf(), list(), postgresUrl(): one of each.
    for (const name of ['REDIS_URL', 'PORT', 'MODELGRAPH_ARTIFACT_STORE', 'MODELGRAPH_ALLOWED_ORIGINS', 'MODELGRAPH_OWNER_DATABASE_URL'])
      expect(names).toContain(name);
  });

  test('every read of env in src/config.ts is one the extraction understands', () => {
    const code = read('src/config.ts');
    // env[...] with anything but a literal is the helpers' own `env[name]`, and every helper call passes a literal name.
    const dynamic = [...code.matchAll(/\benv\[([^\]]*)\]/g)].map((m) => m[1]).filter((inner) => !/^\s*'[A-Z0-9_]+'\s*$/.test(inner));
    expect(new Set(dynamic)).toEqual(new Set(['name']));
    const helpers = [...code.matchAll(/^function (\w+)(?:<[^>]*>)?\(env: NodeJS\.ProcessEnv, name: string/gm)].map((m) => m[1]);
    expect(helpers.length).toBeGreaterThan(0);
    for (const helper of helpers) {
      for (const call of code.matchAll(new RegExp(`\\b${helper}\\(([^,)]*),\\s*([^,)]*)`, 'g'))) {
        if (call.index !== undefined && code.slice(Math.max(0, call.index - 9), call.index).includes('function')) continue;
        expect({ helper, env: call[1].trim(), name: call[2].trim() }).toEqual({
          helper,
          env: 'env',
          name: expect.stringMatching(/^'[A-Z0-9_]+'$/),
        });
      }
    }
  });
});

describe('docker/kubernetes/', () => {
  const configVars = configVariables(read('src/config.ts'));

  test('holds a Deployment, a Service, a PodDisruptionBudget, a HorizontalPodAutoscaler, a ConfigMap and Secrets, in no namespace', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ConfigMap', 'Secret'])
      expect(ofKind(kind).length).toBeGreaterThan(0);
    for (const { file, manifest } of entries) {
      expect({ file, apiVersion: typeof manifest.apiVersion, name: typeof manifest.metadata?.name }).toEqual({
        file,
        apiVersion: 'string',
        name: 'string',
      });
      // Applied into whatever namespace kubectl is pointed at.
      expect({ file, namespace: manifest.metadata.namespace }).toEqual({ file, namespace: undefined });
    }
    const ids = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('every variable a container gets is one src/config.ts reads', () => {
    const unknown: string[] = [];
    for (const container of containers()) {
      for (const [name, { from }] of environmentOf(container))
        if (!configVars.has(name)) unknown.push(`${name} (${container.name}, ${from})`);
    }
    expect(unknown).toEqual([]);
  });

  test('every ConfigMap and Secret key that is not mounted as a file becomes a variable src/config.ts reads', () => {
    const mounted = new Set(
      (podSpec().volumes ?? [])
        .flatMap((v: any) => [v.secret && `Secret ${v.secret.secretName}`, v.configMap && `ConfigMap ${v.configMap.name}`])
        .filter(Boolean),
    );
    for (const m of [...ofKind('ConfigMap'), ...ofKind('Secret')]) {
      if (mounted.has(`${m.kind} ${m.metadata.name}`)) continue;
      const taken = containers().some((c) => (c.envFrom ?? []).some((s: any) => (s.configMapRef ?? s.secretRef)?.name === m.metadata.name));
      expect({ [`${m.kind} ${m.metadata.name}`]: taken }).toEqual({ [`${m.kind} ${m.metadata.name}`]: true });
      for (const key of Object.keys(dataOf(m))) expect({ key, readByConfig: configVars.has(key) }).toEqual({ key, readByConfig: true });
    }
  });

  test('the server gets both database logins, Redis and the S3 store from Secrets and the ConfigMap', () => {
    const env = environmentOf(server());
    for (const name of [
      'DATABASE_URL',
      'MODELGRAPH_OWNER_DATABASE_URL',
      'REDIS_URL',
      'MODELGRAPH_S3_ACCESS_KEY_ID',
      'MODELGRAPH_S3_SECRET_ACCESS_KEY',
    ])
      expect({ name, from: env.get(name)?.from.split(' ')[0] }).toEqual({ name, from: 'Secret' });
    expect(env.get('MODELGRAPH_ARTIFACT_STORE')?.value).toBe('s3');
    expect(env.get('MODELGRAPH_S3_BUCKET')?.value).toBeTruthy();
  });

  test('the probes ask routes src/server/app.ts serves, on the port the server listens on', () => {
    const routes = new Set([...read('src/server/app.ts').matchAll(/\bapp\.get\(\s*'([^']+)'/g)].map((m) => m[1]));
    expect(routes).toContain('/healthz');
    const container = server();
    const port = environmentOf(container).get('PORT')?.value;
    expect(port).toMatch(/^\d+$/);
    // The image's own default and EXPOSE say the same.
    expect(read('docker/Dockerfile')).toMatch(new RegExp(`PORT=${port}\\b[\\s\\S]*EXPOSE ${port}\\b`));
    expect(container.ports.map((p: any) => p.containerPort)).toContain(Number(port));
    const expected = { startupProbe: '/readyz', readinessProbe: '/readyz', livenessProbe: '/healthz' };
    for (const [probe, wanted] of Object.entries(expected)) {
      const get = container[probe]?.httpGet;
      expect({ probe, path: get?.path }).toEqual({ probe, path: wanted });
      expect({ probe, served: routes.has(get.path) }).toEqual({ probe, served: true });
      expect({ probe, port: portNumber(container, get.port) }).toEqual({ probe, port: Number(port) });
    }
  });

  test("the selectors find the Deployment's pods, and the Service, PodDisruptionBudget and autoscaler point at them", () => {
    const d = deployment();
    const labels = d.spec.template.metadata.labels;
    expect(matches(d.spec.selector.matchLabels, labels)).toBe(true);
    expect(d.spec.replicas).toBe(3);
    const service = one('Service');
    expect(matches(service.spec.selector, labels)).toBe(true);
    for (const p of service.spec.ports)
      expect({ targetPort: portNumber(server(), p.targetPort) }).toEqual({ targetPort: server().ports[0].containerPort });
    const pdb = one('PodDisruptionBudget');
    expect(matches(pdb.spec.selector.matchLabels, labels)).toBe(true);
    // It must leave room for a drain: one pod at a time, or at least one fewer than the fewest replicas.
    if (pdb.spec.maxUnavailable === undefined) expect(pdb.spec.minAvailable).toBeLessThan(d.spec.replicas);
    else expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: d.apiVersion, kind: 'Deployment', name: d.metadata.name });
    expect(hpa.spec.minReplicas).toBe(d.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    expect(hpa.spec.metrics).toContainEqual(
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    );
    // Autoscaling on CPU utilisation is a share of the request: without one it cannot work.
    expect(server().resources.requests.cpu).toBeTruthy();
  });

  test('the signing key Secret is mounted, read-only, at the path MODELGRAPH_AUDIT_SIGNING_KEY_FILE names', () => {
    const container = server();
    const file = environmentOf(container).get('MODELGRAPH_AUDIT_SIGNING_KEY_FILE')?.value;
    expect(file).toMatch(/^\//);
    const mounts = container.volumeMounts.filter(
      (m: any) => file === m.mountPath || file!.startsWith(`${m.mountPath.replace(/\/$/, '')}/`),
    );
    expect(mounts).toHaveLength(1);
    const [mount] = mounts;
    expect(mount.readOnly).toBe(true);
    const volume = podSpec().volumes.find((v: any) => v.name === mount.name);
    expect(volume?.secret?.secretName).toBeTruthy();
    const secret = named('Secret', volume.secret.secretName);
    expect(secret).toBeDefined();
    // The file under the mount is a key of the Secret (or the path `items` gives it); with subPath, the mount is the file.
    const relative = mount.subPath ? mount.subPath : path.posix.relative(mount.mountPath, file!);
    const key = mount.subPath ? mount.subPath : (volume.secret.items?.find((i: any) => i.path === relative)?.key ?? relative);
    if (mount.subPath) expect(mount.mountPath).toBe(file);
    expect(Object.keys(dataOf(secret!))).toContain(key);
    // Not also handed over as variables: a PEM is not a setting.
    expect(containers().some((c) => (c.envFrom ?? []).some((s: any) => s.secretRef?.name === secret!.metadata.name))).toBe(false);
  });

  test("runs as the image's non-root user, and the server can write where it writes with a read-only root", () => {
    const spec = podSpec();
    const container = server();
    const user = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
    expect(container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot).toBe(true);
    expect(read('docker/Dockerfile')).toMatch(/^USER node$/m); // node is uid 1000 in the official images
    expect(user).toBe(1000);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    if (container.securityContext.readOnlyRootFilesystem) {
      const env = environmentOf(container);
      const writable = container.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath.replace(/\/$/, ''));
      for (const name of ['MODELGRAPH_DATA_DIR', 'MODELGRAPH_AUDIT_CHECKPOINT_FILE']) {
        const at = env.get(name)?.value;
        expect({ name, writable: Boolean(at && writable.some((dir: string) => at === dir || at.startsWith(`${dir}/`))) }).toEqual({
          name,
          writable: true,
        });
      }
    }
    expect(container.resources.requests.memory).toBeTruthy();
    expect(container.resources.limits.memory).toBeTruthy();
  });

  test('a terminating pod waits in preStop, then has time to drain after SIGTERM', () => {
    const container = server();
    const command: string[] = container.lifecycle.preStop.exec.command;
    expect(command[0]).toBe('sleep');
    const sleep = Number(command[1]);
    expect(sleep).toBeGreaterThan(0);
    // After SIGTERM, src/server/app.ts waits up to 10 s for requests whose bytes have arrived, then Apollo's drain up to
    // 10 s more for those in flight; the grace period counts the preStop sleep too.
    expect(read('src/server/app.ts')).toMatch(/Date\.now\(\) \+ 10_000/);
    expect(podSpec().terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleep + 20);
    expect(read('src/main.ts')).toMatch(/process\.on\('SIGTERM'/);
  });
});
/* eslint-enable @typescript-eslint/no-explicit-any */
