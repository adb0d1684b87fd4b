import { STORED_JSON, validateJson } from '../../src/common/json';
import { expectBadInput } from './bad-input';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
};

describe('validateJson', () => {
  test('accepts what is within every bound', () => {
    expect(() => validateJson({ learning_rate: 0.05, layers: [64, 32], opt: { name: 'adam' } }, 'h', STORED_JSON)).not.toThrow();
    expect(() => validateJson(nested(10), 'h', STORED_JSON)).not.toThrow();
  });

  test('refuses nesting past the depth, without recursion even at 100,000 levels', () => {
    expect(expectBadInput(() => validateJson(nested(11), 'h', STORED_JSON), 'h').message).toMatch(/more than 10 levels/);
    expectBadInput(() => validateJson(nested(100_000), 'h', STORED_JSON), 'h');
  });

  test('refuses too many keys and items, counted at every level', () => {
    const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    expect(expectBadInput(() => validateJson(wide, 'h', STORED_JSON), 'h').message).toMatch(/more than 1000 keys/);
    const spread = { a: Array.from({ length: 600 }, () => 1), b: Array.from({ length: 600 }, () => 1) };
    expectBadInput(() => validateJson(spread, 'h', STORED_JSON), 'h');
  });

  test('refuses more bytes than the limit, counting UTF-8', () => {
    expect(expectBadInput(() => validateJson({ s: 'x'.repeat(70_000) }, 'h', STORED_JSON), 'h').message).toMatch(/bytes as JSON/);
    expectBadInput(() => validateJson({ s: 'é'.repeat(33_000) }, 'h', STORED_JSON), 'h');
  });
});
