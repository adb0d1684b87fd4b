import type { KeyObject } from 'node:crypto';

/** An Ed25519 key the server signs with, and how others recognise it. */
export interface Signer {
  privateKey: KeyObject;
  publicKeyPem: string;
  /** `SHA256:` and the base64 sha256 of the public key's DER, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

/** Where artifacts are kept. */
export interface ArtifactSettings {
  store: 'filesystem' | 's3';
  /** filesystem: the folder. */
  directory?: string;
  s3?: {
    bucket: string;
    prefix: string;
    region: string;
    endpoint?: string;
    forcePathStyle: boolean;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
  /** The largest artifact accepted, in bytes. */
  maxBytes: number;
}

/** Model signatures (OpenSSF Model Signing). */
export interface TrustSettings {
  /** The largest signature bundle accepted, in bytes. */
  maxSignatureBytes: number;
  /** A Sigstore trusted_root.json, read at start: without one, sigstore-signed bundles are refused. */
  sigstoreTrustedRootFile?: string;
}

/** Where a module reports what an operator should hear of (the server's log; nothing in tests that do not listen). */
export interface Notices {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/** What the composition root hands every services factory besides the data source: what start-up read. */
export interface Settings {
  notices?: Notices;
  access?: {
    /** 'all': every token sees every model; 'granted': a model is seen only by ADMINs and those with a grant on it. */
    visibility: 'all' | 'granted';
    /** Whether the creator of a model gets MANAGE on it. */
    creatorGrant: boolean;
  };
  audit?: {
    /** Signs checkpoints of the audit chain; its public key is what verification trusts. */
    signer: Signer;
    /** Where checkpoints are also appended, outside the database. */
    checkpointFile: string;
  };
  events?: {
    /** Redis for event signals between instances (PostgreSQL LISTEN/NOTIFY without it). */
    redisUrl?: string;
    /** The Redis channel; instances of one registry share it. */
    redisChannel?: string;
  };
  artifacts?: ArtifactSettings;
  trust?: TrustSettings;
  webhooks?: {
    /** Host names, addresses or CIDR ranges a webhook may reach although they are private or loopback. */
    allowedHosts: string[];
    maxFailures: number;
    timeoutMs: number;
  };
}
