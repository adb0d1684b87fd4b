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

const omitting = new Map<unknown, Map<string, string>>();

/**
 * Every column (of `x`) of an entity but those of the properties in `omit`: a list that reads less than the
 * whole row and still follows the entity, so a column added to it later is read too.
 * columnsExcept(m, ModelVersionEntity, ['hyperparameters', …]) → 'x.id, x.model_id, x.version, …'
 * A name in `omit` that is not a column of the entity is refused (it would leave out nothing, silently).
 */
export function columnsExcept<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  omit: ReadonlyArray<keyof T & string>,
): string {
  let byOmit = omitting.get(target);
  if (!byOmit) omitting.set(target, (byOmit = new Map()));
  const key = omit.join(',');
  let columns = byOmit.get(key);
  if (!columns) {
    const all = manager.connection.getMetadata(target).columns;
    const unknown = omit.filter((name) => !all.some((c) => c.propertyName === name));
    if (unknown.length) throw new Error(`columnsExcept: not columns of the entity: ${unknown.join(', ')}`);
    columns = all
      .filter((c) => !omit.includes(c.propertyName as keyof T & string))
      .map((c) => `x.${c.databaseName}`)
      .join(', ');
    byOmit.set(key, columns);
  }
  return columns;
}
