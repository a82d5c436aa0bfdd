import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import type { TokenUsage } from '../core/usage.ts';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * USD per million tokens. A key matches a model id exactly, else the longest key the id starts with, else
 * a family name (opus, sonnet, haiku) the id contains. The 5.x figures are the ones the bundled Claude
 * Code 2.1.332 charges, so baton's cost and Claude Code's `total_cost_usd` agree out of the box.
 * BATON_PRICES_FILE overrides any entry; a model no key matches is reported as unpriced, never guessed.
 */
export const defaultPrices: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-5': { input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 },
  'claude-sonnet-5': { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 },
  'claude-haiku-5': { input: 0.1, output: 0.5, cacheRead: 0.01, cacheWrite: 0.125 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-0': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-2025': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  opus: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  sonnet: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  haiku: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
});

export type PriceTable = Readonly<Record<string, ModelPrice>>;

const priceFileSchema = z.record(
  z.string(),
  z.object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  }),
);

/** The built-in table with the entries of BATON_PRICES_FILE (if any) laid over it. */
export function loadPriceTable(file?: string): PriceTable {
  if (!file) return defaultPrices;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read BATON_PRICES_FILE ${file}: ${(error as Error).message}`, {
      code: 'config',
    });
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(
      `BATON_PRICES_FILE ${file}: ${issue.path.join('.')} ${issue.message}. ` +
        'Expected {"<model id or family>": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}} in USD per million tokens.',
      { code: 'config' },
    );
  }
  const overrides = Object.fromEntries(
    Object.entries(parsed.data).map(([model, price]) => [
      model,
      {
        ...price,
        cacheRead: price.cacheRead ?? price.input * 0.1,
        cacheWrite: price.cacheWrite ?? price.input * 1.25,
      },
    ]),
  );
  return Object.freeze({ ...defaultPrices, ...overrides });
}

export function findPrice(table: PriceTable, model: string): ModelPrice | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  const prefix = Object.keys(table)
    .filter((key) => model.startsWith(key))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix) return table[prefix];
  const family = Object.keys(table).find((key) => !key.includes('-') && model.includes(key));
  return family ? table[family] : undefined;
}

/** The cost of one call in USD, or undefined when the model has no price (reported, never guessed). */
export function priceUsage(table: PriceTable, model: string, usage: TokenUsage): number | undefined {
  const price = findPrice(table, model);
  if (!price) return undefined;
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheReadTokens * price.cacheRead +
      usage.cacheCreationTokens * price.cacheWrite) /
    1_000_000
  );
}

/**
 * Refuses a model baton cannot price, before anything is recorded: cost and budgets (`--max-cost`) need
 * a price for every call, so an unknown name (a typo, another vendor's model) is an error here rather
 * than an agent that fails later or spends unmetered. `source` names the flag or variable it came from.
 */
export function requirePrice(table: PriceTable, model: string, source: string): void {
  if (findPrice(table, model)) return;
  throw new UserError(
    `Unknown model "${model}" in ${source}: baton has no price for it, and it prices every model call to ` +
      'keep budgets. Use opus, sonnet, haiku or a Claude model id (claude-…), or give its prices in BATON_PRICES_FILE.',
  );
}
