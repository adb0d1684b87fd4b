import { badInput } from '../../common/errors';
import { validateText } from '../../common/text';

// Slugs: lowercase letters and digits in words joined by single hyphens ("fraud-detector-v2").
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const MAX_NAME = 100;
const MAX_TAGS = 64;
const MAX_TAG_VALUE = 256;

export function validateModelName(name: string, field = 'name'): void {
  if (!name) throw badInput(field, 'must not be empty');
  if (name.length > MAX_NAME) throw badInput(field, `must be at most ${MAX_NAME} characters`);
  if (!SLUG.test(name)) throw badInput(field, 'must be a slug: lowercase letters and digits, words joined by single hyphens');
}

export interface TagPair {
  key: string;
  value: string;
}

/**
 * Applies tag changes to the current tags: `set` adds or overwrites, `remove` deletes keys.
 * mergeTags({ team: 'a' }, [{ key: 'env', value: 'eu' }], ['team']) → { env: 'eu' }
 */
export function mergeTags(current: Record<string, string>, set: TagPair[], remove: string[] = []): Record<string, string> {
  const next: Record<string, string> = { ...current };
  const seen = new Set<string>();
  set.forEach((tag, i) => {
    if (!TAG_KEY.test(tag.key)) throw badInput(`tags[${i}].key`, 'must be 1-64 characters of letters, digits, "_", ".", ":", "/", "-"');
    // Assigning "__proto__" on a plain object would set its prototype and lose the tag silently.
    if (tag.key === '__proto__') throw badInput(`tags[${i}].key`, '"__proto__" is reserved');
    if (seen.has(tag.key)) throw badInput(`tags[${i}].key`, `"${tag.key}" is given twice`);
    validateText(tag.value, `tags[${i}].value`, { max: MAX_TAG_VALUE, identifier: true });
    seen.add(tag.key);
    next[tag.key] = tag.value;
  });
  remove.forEach((key, i) => {
    if (seen.has(key)) throw badInput(`removeKeys[${i}]`, `"${key}" is also being set`);
    delete next[key];
  });
  if (Object.keys(next).length > MAX_TAGS) throw badInput('tags', `a model has at most ${MAX_TAGS} tags`);
  return next;
}

export function tagsToPairs(tags: Record<string, string>): TagPair[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] }));
}
