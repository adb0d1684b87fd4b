import { DateTimeISOResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ImportVerdict, ScanFormat, ScanSeverity, ScanVerdict } from './scan.rules';

/** The scanner's string unions as GraphQL enums (the values are the same strings). */
export const ScanVerdictEnum = { DANGEROUS: 'DANGEROUS', SUSPICIOUS: 'SUSPICIOUS', CLEAN: 'CLEAN' } as const satisfies Record<
  ScanVerdict,
  ScanVerdict
>;
export const ScanSeverityEnum = { DANGEROUS: 'DANGEROUS', SUSPICIOUS: 'SUSPICIOUS', INFO: 'INFO' } as const satisfies Record<
  ScanSeverity,
  ScanSeverity
>;
export const ImportVerdictEnum = { DANGEROUS: 'DANGEROUS', SUSPICIOUS: 'SUSPICIOUS', SAFE: 'SAFE' } as const satisfies Record<
  ImportVerdict,
  ImportVerdict
>;
export const ScanFormatEnum = {
  PICKLE: 'PICKLE',
  PYTORCH_ZIP: 'PYTORCH_ZIP',
  ZIP: 'ZIP',
  SAFETENSORS: 'SAFETENSORS',
  GGUF: 'GGUF',
  ONNX: 'ONNX',
  NUMPY: 'NUMPY',
  JSON: 'JSON',
  TEXT: 'TEXT',
  UNKNOWN: 'UNKNOWN',
} as const satisfies Record<ScanFormat, ScanFormat>;

registerEnumType(ScanVerdictEnum, {
  name: 'ScanVerdict',
  description: 'A scan report’s verdict: its worst finding (INFO counts as CLEAN)',
});
registerEnumType(ScanSeverityEnum, {
  name: 'ScanSeverity',
  description: 'DANGEROUS: loading can run code or touch what a model has no business with; SUSPICIOUS: not known to be safe',
});
registerEnumType(ImportVerdictEnum, {
  name: 'ImportVerdict',
  description: 'How an imported global is classified (see docs/scanning-artifacts.md)',
});
registerEnumType(ScanFormatEnum, { name: 'ScanFormat', description: 'What the scanner found a file to be, from its bytes' });

@ObjectType({ description: 'One thing the scanner saw in a file' })
export class ScanFindingResult {
  @Field(() => ScanSeverityEnum)
  severity: ScanSeverity;

  @Field({ description: 'A stable code, e.g. PICKLE_IMPORT_DANGEROUS, SAFETENSORS_GAP (see docs/scanning-artifacts.md)' })
  code: string;

  @Field()
  message: string;

  @Field(() => SafeIntResolver, { nullable: true, description: 'Byte offset in the file, or in `entry` when there is one' })
  offset: number | null;

  @Field(() => String, { nullable: true, description: 'The zip entry (or `(decompressed)`) the finding is in' })
  entry: string | null;
}

@ObjectType({ description: 'A global a pickle imports, with how it was imported and what called it' })
export class ScanImport {
  @Field()
  module: string;

  @Field()
  name: string;

  @Field(() => ImportVerdictEnum)
  verdict: ImportVerdict;

  @Field({ description: 'Why the lists classify it so' })
  why: string;

  @Field(() => [String], { description: 'GLOBAL, STACK_GLOBAL, INST' })
  opcodes: string[];

  @Field(() => [String], { description: 'REDUCE, OBJ, INST, NEWOBJ, NEWOBJ_EX, BUILD: what called it' })
  calledBy: string[];

  @Field(() => Int)
  count: number;

  @Field(() => String, { nullable: true, description: 'The zip entry it was imported in' })
  entry: string | null;
}

@ObjectType({ description: "The scanner's report on one stored file (made as it was uploaded, or by rescanArtifact)" })
export class FileScan {
  @Field(() => ScanFormatEnum)
  format: ScanFormat;

  @Field(() => ScanVerdictEnum)
  verdict: ScanVerdict;

  @Field(() => Int, { description: 'The scanner version whose rules made the report' })
  scannerVersion: number;

  @Field(() => DateTimeISOResolver)
  scannedAt: Date;

  @Field(() => SafeIntResolver)
  bytesScanned: number;

  @Field({ description: 'What made the verdict, in a few words (e.g. "imports os.system"); "clean" when CLEAN' })
  reason: string;

  @Field(() => [ScanFindingResult], { description: 'Worst first (at most 1,000, then one FINDINGS_TRUNCATED)' })
  findings: ScanFindingResult[];

  @Field(() => [ScanImport], { description: 'Every global its pickles import (at most 1,000)' })
  imports: ScanImport[];
}

@ObjectType({ description: "A version's files' scan reports, summed up" })
export class ArtifactScanSummary {
  @Field(() => ScanVerdictEnum, { nullable: true, description: 'The worst verdict of the files scanned; null when none is' })
  verdict: ScanVerdict | null;

  @Field(() => Int)
  filesScanned: number;

  @Field(() => Int, { description: 'Files with no report (registered by reference, or not uploaded yet)' })
  filesNotScanned: number;

  @Field(() => Int)
  dangerousFiles: number;

  @Field(() => Int)
  suspiciousFiles: number;

  @Field(() => [Int], { description: 'The scanner versions that made the reports, ascending' })
  scannerVersions: number[];

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the latest report was made' })
  scannedAt: Date | null;
}

@InputType()
export class RescanArtifactInput {
  @Field(() => UUIDResolver)
  versionId: string;
}

@ObjectType()
export class RescannedArtifact {
  @Field(() => ID)
  versionId: string;

  @Field(() => Int)
  filesScanned: number;

  @Field(() => ArtifactScanSummary)
  scan: ArtifactScanSummary;
}
