import { parseDocument } from 'yaml';

/** The line limit of an expertise file when its self-improve prompt does not set `MAX_LINES`. */
export const defaultMaxLines = 1000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A parsed expertise file: one YAML mapping, and how many lines it takes. */
export interface Expertise {
  value: Record<string, unknown>;
  lines: number;
}

/**
 * Parses an expertise file. It must be one YAML document holding a mapping; the error is worded for
 * the agent that wrote it (line and column, what is wrong).
 */
export function parseExpertise(text: string): Parsed<Expertise> {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return { ok: false, error: document.errors.map((error) => error.message.trim()).join('\n') };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'the file must be a YAML mapping (key: value) at the top level' };
  }
  return { ok: true, value: { value: value as Record<string, unknown>, lines: lineCount(text) } };
}

/** Lines as `wc -l` counts them, plus a last line without its newline. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

/**
 * The expertise as a canonical string: keys sorted at every level, so reordering keys, reformatting or
 * changing comments is no change, while any change of content is. `--until-stable` compares these.
 */
export function normalizedExpertise(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * The line limit an expert's self-improve prompt states (`MAX_LINES: 800`, the reference's convention),
 * so the prompt the agent reads and the check baton makes agree; else the default.
 */
export function maxLinesOf(selfImprovePrompt: string | undefined): number {
  const match = selfImprovePrompt && /^\s*MAX_LINES:\s*(\d{1,6})\s*$/m.exec(selfImprovePrompt);
  const limit = match ? Number(match[1]) : defaultMaxLines;
  return limit >= 10 ? limit : defaultMaxLines;
}
