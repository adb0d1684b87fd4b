import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createScanner, type ScanOptions } from '../../src/modules/artifacts/scan/scanner.rules';
import type { ScanReport } from '../../src/modules/artifacts/scan/scan.rules';

/** test/fixtures/scan, made by make-fixtures.py beside them. */
export const FIXTURES = path.join(__dirname, '../fixtures/scan');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

/** Every fixture's path under FIXTURES (the script excepted). */
export function fixtureNames(dir = ''): string[] {
  return readdirSync(path.join(FIXTURES, dir))
    .sort()
    .flatMap((name) => {
      const rel = dir ? `${dir}/${name}` : name;
      if (statSync(path.join(FIXTURES, rel)).isDirectory()) return fixtureNames(rel);
      return name.endsWith('.py') ? [] : [rel];
    });
}

/** Scans bytes handed over in the given pieces. */
export function scanPieces(name: string, pieces: readonly Buffer[], options?: ScanOptions): ScanReport {
  const scanner = createScanner(name, options);
  for (const piece of pieces) scanner.push(piece);
  return scanner.finish();
}

/** Cuts bytes at the given sizes (cycled), the last piece taking the rest. */
export function cut(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  if (!sizes.length) return [bytes];
  const pieces: Buffer[] = [];
  let i = 0;
  for (let pos = 0; pos < bytes.length; i += 1) {
    const n = Math.max(1, sizes[i % sizes.length]);
    pieces.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return pieces;
}

export function scanBytes(name: string, bytes: Buffer, sizes: readonly number[] = [], options?: ScanOptions): ScanReport {
  return scanPieces(name, cut(bytes, sizes), options);
}

/** A seeded sequence of chunk sizes (a linear congruential generator: the same cuts every run). */
export function seededSizes(seed: number, count: number, max: number): number[] {
  let x = seed >>> 0;
  const sizes: number[] = [];
  for (let i = 0; i < count; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    sizes.push(1 + (x % max));
  }
  return sizes;
}

/** The codes of a report's findings with their severities, and its imports with their verdicts. */
export function summary(report: ScanReport) {
  return {
    format: report.format,
    verdict: report.verdict,
    codes: report.findings.map((f) => `${f.code}:${f.severity}`),
    imports: Object.fromEntries(report.imports.map((i) => [`${i.module}.${i.name}`, i.verdict])),
  };
}
