import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/**
 * Validates a BOM's JSON text against the official CycloneDX 1.6 JSON schema, strict (no properties beyond it), as
 * the library ships it with the SPDX and JSF schemas it references: null when valid, else the validator's errors.
 */
export async function cyclonedxErrors(json: string): Promise<unknown> {
  return (await validator.validate(json)) ?? null;
}
