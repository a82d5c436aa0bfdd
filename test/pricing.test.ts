import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.ts';
import {
  defaultPrices,
  findPrice,
  loadPriceTable,
  priceUsage,
  type PriceTable,
} from '../src/agent/pricing.ts';
import type { TokenUsage } from '../src/core/usage.ts';

const none: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };

describe('findPrice', () => {
  it('uses an exact key first', () => {
    expect(findPrice(defaultPrices, 'claude-opus-4-1')).toBe(defaultPrices['claude-opus-4-1']);
  });

  it('falls back to a key the id starts with', () => {
    expect(findPrice(defaultPrices, 'claude-opus-4-1-20250805')).toBe(defaultPrices['claude-opus-4-1']);
    expect(findPrice(defaultPrices, 'claude-sonnet-5-5')).toBe(defaultPrices['claude-sonnet-5']);
  });

  it('prefers the longest matching prefix', () => {
    const short = { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 };
    const long = { input: 2, output: 2, cacheRead: 2, cacheWrite: 2 };
    const table: PriceTable = { 'claude-x': short, 'claude-x-1': long };
    expect(findPrice(table, 'claude-x-1-2025')).toBe(long);
    expect(findPrice(table, 'claude-x-2')).toBe(short);
  });

  it('prefers a prefix over a family name', () => {
    expect(findPrice(defaultPrices, 'claude-opus-5-5')).toBe(defaultPrices['claude-opus-5']);
  });

  it('falls back to the family name the id contains', () => {
    expect(findPrice(defaultPrices, 'claude-opus-4-5')).toBe(defaultPrices.opus);
    expect(findPrice(defaultPrices, 'claude-sonnet-4-5-20250929')).toBe(defaultPrices.sonnet);
    expect(findPrice(defaultPrices, 'us.anthropic.claude-haiku-4-5')).toBe(defaultPrices.haiku);
  });

  it('returns undefined for a model nothing matches', () => {
    expect(findPrice(defaultPrices, 'gpt-4o')).toBeUndefined();
    expect(findPrice(defaultPrices, 'llama3:8b')).toBeUndefined();
  });
});

describe('priceUsage', () => {
  const table: PriceTable = { m: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } };

  it('charges input tokens at the input price per million', () => {
    expect(priceUsage(table, 'm', { ...none, inputTokens: 2_000_000 })).toBeCloseTo(6, 10);
  });

  it('charges output tokens at the output price per million', () => {
    expect(priceUsage(table, 'm', { ...none, outputTokens: 100_000 })).toBeCloseTo(1.5, 10);
  });

  it('charges cache reads at the cacheRead price per million', () => {
    expect(priceUsage(table, 'm', { ...none, cacheReadTokens: 1_000_000 })).toBeCloseTo(0.3, 10);
  });

  it('charges cache creation at the cacheWrite price per million', () => {
    expect(priceUsage(table, 'm', { ...none, cacheCreationTokens: 1_000_000 })).toBeCloseTo(3.75, 10);
  });

  it('adds the four kinds together', () => {
    const usage = {
      inputTokens: 1000,
      outputTokens: 500,
      cacheReadTokens: 20_000,
      cacheCreationTokens: 4000,
    };
    // (1000×3 + 500×15 + 20000×0.3 + 4000×3.75) / 1e6 = (3000 + 7500 + 6000 + 15000) / 1e6
    expect(priceUsage(table, 'm', usage)).toBeCloseTo(0.0315, 12);
  });

  it('costs nothing for no tokens', () => {
    expect(priceUsage(table, 'm', none)).toBe(0);
  });

  it('returns undefined for an unpriced model rather than guessing', () => {
    expect(priceUsage(table, 'other', { ...none, inputTokens: 1000 })).toBeUndefined();
  });

  it('prices through the same lookup as findPrice', () => {
    const usage = { ...none, inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(priceUsage(defaultPrices, 'claude-sonnet-4-5', usage)).toBeCloseTo(3 + 15, 10);
  });
});

describe('loadPriceTable', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-prices-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function pricesFile(content: string): Promise<string> {
    const file = join(dir, 'prices.json');
    await writeFile(file, content);
    return file;
  }

  function loadError(file: string): UserError {
    try {
      loadPriceTable(file);
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return error as UserError;
    }
    throw new Error('expected loadPriceTable to throw');
  }

  it('returns the built-in table when no file is given', () => {
    expect(loadPriceTable()).toBe(defaultPrices);
    expect(loadPriceTable('')).toBe(defaultPrices);
  });

  it('overrides an entry and adds a new one, keeping the rest', async () => {
    const file = await pricesFile(
      JSON.stringify({
        'claude-sonnet-5': { input: 1, output: 4, cacheRead: 0.5, cacheWrite: 2 },
        'local-llm': { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      }),
    );
    const table = loadPriceTable(file);
    expect(table['claude-sonnet-5']).toEqual({ input: 1, output: 4, cacheRead: 0.5, cacheWrite: 2 });
    expect(table['local-llm']).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    expect(table['claude-opus-5']).toEqual(defaultPrices['claude-opus-5']);
    expect(Object.isFrozen(table)).toBe(true);
    expect(defaultPrices['claude-sonnet-5']!.input).toBe(2);
  });

  it('defaults cacheRead to 0.1× and cacheWrite to 1.25× the input price', async () => {
    const file = await pricesFile(JSON.stringify({ 'my-model': { input: 8, output: 24 } }));
    const price = loadPriceTable(file)['my-model'];
    expect(price?.input).toBe(8);
    expect(price?.output).toBe(24);
    expect(price?.cacheRead).toBeCloseTo(0.8, 10);
    expect(price?.cacheWrite).toBeCloseTo(10, 10);
  });

  it('refuses a file that is not JSON, naming the variable and the path', async () => {
    const file = await pricesFile('{ not json');
    const error = loadError(file);
    expect(error.code).toBe('config');
    expect(error.message).toContain('BATON_PRICES_FILE');
    expect(error.message).toContain(file);
  });

  it('refuses a file that does not exist, naming the variable and the path', () => {
    const file = join(dir, 'missing.json');
    const error = loadError(file);
    expect(error.code).toBe('config');
    expect(error.message).toContain('BATON_PRICES_FILE');
    expect(error.message).toContain(file);
  });

  it('refuses a negative price, naming the entry and field', async () => {
    const file = await pricesFile(JSON.stringify({ 'my-model': { input: -1, output: 2 } }));
    const error = loadError(file);
    expect(error.code).toBe('config');
    expect(error.message).toContain('BATON_PRICES_FILE');
    expect(error.message).toContain(file);
    expect(error.message).toContain('my-model.input');
  });

  it('refuses an entry with a missing field, naming the entry and field', async () => {
    const file = await pricesFile(JSON.stringify({ 'my-model': { input: 1 } }));
    const error = loadError(file);
    expect(error.code).toBe('config');
    expect(error.message).toContain(file);
    expect(error.message).toContain('my-model.output');
  });

  it('refuses a file whose top level is not an object of prices', async () => {
    const error = loadError(await pricesFile('[1, 2]'));
    expect(error.message).toContain('BATON_PRICES_FILE');
  });
});
