/**
 * docker/docker-compose.yml and docker/nginx.conf are never run here (no docker engine): what can be checked without
 * one is that they agree with the server and with each other. Every variable the instances get is one src/config.ts
 * reads; each instance's health check asks /readyz; nginx proxies to exactly the instances, on the port they listen
 * on; the services the instances name (postgres, redis, minio) exist. (The nginx location itself runs in
 * test/e2e/rolling-restart.e2e.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariables } from '../support/config-variables';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
/* eslint-disable @typescript-eslint/no-explicit-any -- the compose file is untyped YAML, checked field by field */
const compose = parse(read('docker/docker-compose.yml'), { merge: true }) as { services: Record<string, any> };
const nginxConf = read('docker/nginx.conf');
const apis = Object.entries(compose.services).filter(([, s]) => s.image === 'modelgraph:local');

describe('docker/docker-compose.yml', () => {
  it('runs three instances of the image behind nginx, and publishes only nginx and the MinIO console', () => {
    expect(apis.map(([name]) => name)).toEqual(['api', 'api-2', 'api-3']);
    for (const [, api] of apis) expect(api.ports).toBeUndefined();
    expect(compose.services.nginx.ports).toEqual(['4000:4000']);
  });

  it('gives the instances only variables src/config.ts reads', () => {
    const read_ = configVariables(read('src/config.ts'));
    for (const [name, api] of apis) {
      const unknown = Object.keys(api.environment).filter((v) => !read_.has(v));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('checks each instance by /readyz, a route the server serves, on the port it listens on', () => {
    expect(read('src/server/app.ts')).toContain("app.get('/readyz'");
    for (const [, api] of apis) {
      const check = api.healthcheck.test.join(' ');
      expect(check).toContain(`http://127.0.0.1:${api.environment.PORT}/readyz`);
    }
  });

  it('names services that exist: the database, Redis and the store the instances use, each waited for', () => {
    for (const [name, api] of apis) {
      const hosts = ['DATABASE_URL', 'MODELGRAPH_OWNER_DATABASE_URL', 'REDIS_URL', 'MODELGRAPH_S3_ENDPOINT'].map(
        (v) => new URL(api.environment[v]).hostname,
      );
      expect({ name, hosts }).toEqual({ name, hosts: ['postgres', 'postgres', 'redis', 'minio'] });
      expect(api.depends_on.postgres.condition).toBe('service_healthy');
      expect(api.depends_on.redis.condition).toBe('service_healthy');
      if (name !== 'api') expect(api.depends_on.api.condition).toBe('service_healthy');
    }
    for (const [name] of apis) expect(compose.services.nginx.depends_on[name].condition).toBe('service_healthy');
  });
});

describe('docker/nginx.conf', () => {
  it('is what the nginx service runs, and proxies to exactly the instances, on the port they listen on', () => {
    expect(compose.services.nginx.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    const upstream = [...nginxConf.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstream).toEqual(apis.map(([name, api]) => `${name}:${api.environment.PORT}`));
    expect(nginxConf).toMatch(/listen 4000;/);
  });

  it('passes websockets and tries the next instance when one refuses', () => {
    expect(nginxConf).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginxConf).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(nginxConf).toMatch(/proxy_next_upstream error timeout http_502 http_503;/);
  });
});
