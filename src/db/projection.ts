import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

const memo = new Map<unknown, Map<string, string>>();

/**
 * The columns (of `x`) a list reads when a client selects `fields` on its items: the primary key, every
 * uuid column (the foreign keys that related fields load by), the columns of the fields selected by their
 * own name, and `always`. A field computed from other columns must load the whole row itself, or name them in
 * `always`. projection(m, ModelAliasEntity, ['name']) → 'x.id, x.model_id, x.name, x.version_id'
 */
export function projection<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  fields: readonly string[],
  always: readonly string[] = [],
): string {
  let byFields = memo.get(target);
  if (!byFields) memo.set(target, (byFields = new Map()));
  const key = `${fields.join(',')}|${always.join(',')}`;
  let columns = byFields.get(key);
  if (!columns) {
    const wanted = new Set([...fields, ...always]);
    columns = manager.connection
      .getMetadata(target)
      .columns.filter((c) => c.isPrimary || c.type === 'uuid' || wanted.has(c.propertyName))
      .map((c) => `x.${c.databaseName}`)
      .join(', ');
    byFields.set(key, columns);
  }
  return columns;
}
