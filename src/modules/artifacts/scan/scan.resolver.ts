import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../../graphql/context';
import { Artifact, ArtifactFile } from '../../versions';
import type { ScanSummary } from './report.rules';
import type { ArtifactScanEntity } from './scan.entity';
import type { ScanLoaders } from './scan.loaders';
import type { ScanService } from './scan.service';
import { ArtifactScanSummary, FileScan, RescanArtifactInput, RescannedArtifact } from './scan.types';

type Ctx = RequestContext<{ scans: ScanService }, { artifacts: ScanLoaders }>;

@Resolver(() => ArtifactFile)
export class FileScanFields {
  @FieldResolver(() => FileScan, { nullable: true, description: "The scanner's report on the stored file; null when it was not scanned" })
  async scan(@Root() file: ArtifactFile, @Ctx() ctx: Ctx): Promise<FileScan | null> {
    const row = await ctx.loaders.artifacts.reportOf.load({ versionId: file.versionId, path: file.path });
    return row && toFileScan(row);
  }
}

@Resolver(() => Artifact)
export class ArtifactScanFields {
  @FieldResolver(() => ArtifactScanSummary, { description: "The files' scan reports summed up" })
  async scan(@Root() artifact: Artifact, @Ctx() ctx: Ctx): Promise<ArtifactScanSummary> {
    return toSummary(await ctx.loaders.artifacts.summaryOf.load(artifact.versionId));
  }
}

@Resolver()
export class ScanResolver {
  @Mutation(() => RescannedArtifact, {
    description: 'Reads every stored file of a READY artifact again and scans it with the current rules (ADMIN); audited',
  })
  async rescanArtifact(@Ctx() ctx: Ctx, @Arg('input', () => RescanArtifactInput) input: RescanArtifactInput): Promise<RescannedArtifact> {
    const { versionId, filesScanned, summary } = await ctx.services.scans.rescan(ctx.caller, input.versionId);
    return { versionId, filesScanned, scan: toSummary(summary) };
  }
}

const toFileScan = (row: ArtifactScanEntity): FileScan => ({
  format: row.format,
  verdict: row.verdict,
  scannerVersion: row.scannerVersion,
  scannedAt: row.scannedAt,
  bytesScanned: Number(row.bytes),
  reason: row.reason,
  findings: row.findings.map((f) => ({ ...f, offset: f.offset ?? null, entry: f.entry ?? null })),
  imports: row.imports.map((i) => ({ ...i, entry: i.entry ?? null })),
});

const toSummary = (summary: ScanSummary | null): ArtifactScanSummary => ({
  verdict: summary?.verdict ?? null,
  filesScanned: summary?.filesScanned ?? 0,
  filesNotScanned: summary?.filesNotScanned ?? 0,
  dangerousFiles: summary?.dangerousFiles ?? 0,
  suspiciousFiles: summary?.suspiciousFiles ?? 0,
  scannerVersions: summary?.scannerVersions ?? [],
  scannedAt: summary?.scannedAt ?? null,
});
