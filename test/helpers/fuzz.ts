import { z } from 'zod';
import { randomUUID } from 'node:crypto';

/** A small seeded generator (mulberry32): the same seed gives the same cases on every run. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(values: readonly T[]): T => values[int(values.length)]!;
  return { next, int, pick };
}
export type Random = ReturnType<typeof seededRandom>;

const nastyStrings = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e3',
  '99999999999999999999',
  '9007199254740993',
  'NaN',
  'true',
  'null',
  'undefined',
  '../../../etc/passwd',
  '/etc/shadow',
  '%00',
  '\u0000',
  '\u202e',
  '😀',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '$(touch /tmp/pwned)',
  '{{prompt}}',
  'all',
  'plan_build_x',
  '__proto__',
  'hook,system',
  'hook,bogus',
  'DEBUG',
];

export function randomString(random: Random): string {
  switch (random.int(5)) {
    case 0:
      return randomUUID();
    case 1:
      return 'x'.repeat(random.pick([1, 199, 200, 201, 5_000]));
    case 2:
      return Array.from({ length: random.int(20) }, () => String.fromCharCode(random.int(0xffff))).join('');
    default:
      return random.pick(nastyStrings);
  }
}

export function randomValue(random: Random, depth = 0, keys: readonly string[] = []): unknown {
  switch (random.int(depth > 2 ? 6 : 9)) {
    case 0:
      return random.pick([0, -1, 1, 1.5, -0.0001, 1e308, 2 ** 31, 2 ** 53 + 2, 100, 99_999_999]);
    case 1:
      return random.next() < 0.5;
    case 2:
      return null;
    case 3:
    case 4:
    case 5:
      return randomString(random);
    case 6:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default:
      return randomObject(random, depth + 1, keys);
  }
}

export function randomObject(
  random: Random,
  depth: number,
  keys: readonly string[],
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const names = [...keys, 'constructor', 'extra', 'cwd', 'command'];
  for (let i = random.int(5); i > 0; i -= 1) {
    const key = random.next() < 0.8 && keys.length > 0 ? random.pick(keys) : random.pick(names);
    object[key] = randomValue(random, depth + 1);
  }
  if (random.next() < 0.05)
    Object.defineProperty(object, '__proto__', { value: { polluted: true }, enumerable: true });
  return object;
}

/** The property names of an object schema's input (none for another schema). */
export function propertyNames(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: object };
  return Object.keys(json.properties ?? {});
}

/** encodeURIComponent, after replacing lone surrogates (which it refuses) with U+FFFD. */
export function encode(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}
