import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redactionMark, redactText } from '../src/core/redact.ts';

interface PositiveCase {
  case: string;
  text: string;
  /** The whole expected output: the secret gone, its kind (prefix, name, header) still there. */
  redacted: string;
}

interface NegativeCase {
  case: string;
  text: string;
}

function corpus<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`fixtures/secrets/${name}.json`, import.meta.url), 'utf8')) as T[];
}

const positives = corpus<PositiveCase>('positive');
const negatives = corpus<NegativeCase>('negative');

describe('secret corpus: planted secrets', () => {
  it.each(positives.map((entry) => [entry.case, entry] as const))('redacts %s', (_name, entry) => {
    expect(entry.redacted).toContain(redactionMark);
    expect(redactText(entry.text)).toBe(entry.redacted);
  });

  it('redacts each of them again to the same text', () => {
    for (const entry of positives) expect(redactText(entry.redacted), entry.case).toBe(entry.redacted);
  });
});

describe('secret corpus: innocent text', () => {
  it.each(negatives.map((entry) => [entry.case, entry] as const))('leaves %s unchanged', (_name, entry) => {
    expect(redactText(entry.text)).toBe(entry.text);
  });
});
