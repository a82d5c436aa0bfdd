import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { ProjectFileProblem } from './problems.ts';

/**
 * The YAML frontmatter of a Claude Code markdown file (`---` lines around `key: value` pairs, then the body),
 * read as leniently as Claude Code reads it and no more: a file without frontmatter is all body, and a
 * frontmatter that does not parse is a problem with the file's line number, never an exception.
 */
export interface Frontmatter {
  /** Top-level keys and their YAML values; `key:` with nothing after it is absent, not null. */
  fields: Readonly<Record<string, unknown>>;
  /** The text after the closing `---` (or the whole file when there is no frontmatter). */
  body: string;
  /** Whether the file had a frontmatter block at all. */
  present: boolean;
  /** The file's line (1-based) where `key` is written, or the opening `---` when it is absent. */
  lineOf(key: string): number;
}

export interface FrontmatterOptions {
  /**
   * Keys whose unquoted value is taken as the text written, not as YAML. Claude Code's `argument-hint` is
   * written `[file] [options]`, which YAML would read as a list or reject; people never mean a list there.
   */
  verbatimKeys?: readonly string[];
}

export type FrontmatterResult = { ok: true; value: Frontmatter } | { ok: false; problem: ProjectFileProblem };

const fence = /^---[ \t]*$/;

/** Splits and parses `text` (the content of the file at `path`, relative to the project, for problems). */
export function parseFrontmatter(
  path: string,
  text: string,
  options: FrontmatterOptions = {},
): FrontmatterResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!fence.test(lines[0]!)) {
    return { ok: true, value: { fields: {}, body: lines.join('\n'), present: false, lineOf: () => 1 } };
  }
  const closing = lines.findIndex((line, index) => index > 0 && fence.test(line));
  if (closing === -1) {
    return {
      ok: false,
      problem: {
        path,
        line: 1,
        reason: 'the frontmatter opened by --- on line 1 is never closed; add a line with --- after it',
      },
    };
  }
  // The YAML starts on the file's line 2, so a YAML position's line is one less than the file's.
  const yamlLines = lines.slice(1, closing).map((line) => quoteVerbatim(line, options.verbatimKeys ?? []));
  const body = lines.slice(closing + 1).join('\n');
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlLines.join('\n'), { lineCounter, prettyErrors: false });
  const fileLine = (offset: number) => lineCounter.linePos(offset).line + 1;

  const [error] = document.errors;
  if (error) {
    return {
      ok: false,
      problem: { path, line: fileLine(error.pos[0]), reason: yamlReason(error.code, error.message) },
    };
  }
  if (document.contents !== null && !isMap(document.contents)) {
    return {
      ok: false,
      problem: { path, line: 2, reason: 'the frontmatter must be `key: value` lines, one per field' },
    };
  }
  let values: Record<string, unknown> | null;
  try {
    values = document.toJS() as Record<string, unknown> | null;
  } catch (error) {
    // An alias that cannot be resolved, or more aliases than `yaml` expands (a document built to explode).
    const reason = `the frontmatter cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, problem: { path, line: 2, reason } };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (value !== null && value !== undefined) fields[key] = value;
  }
  return {
    ok: true,
    value: { fields, body, present: true, lineOf: (key) => keyLine(document, key, fileLine) ?? 1 },
  };
}

/** `argument-hint: [file] [options]` becomes `argument-hint: "[file] [options]"` (already quoted values stay). */
function quoteVerbatim(line: string, keys: readonly string[]): string {
  for (const key of keys) {
    const match = new RegExp(`^(${escapeRegExp(key)}:[ \\t]+)(.*?)[ \\t]*$`).exec(line);
    if (!match || match[2] === '' || /^["']/.test(match[2]!)) continue;
    return `${match[1]}${JSON.stringify(match[2])}`;
  }
  return line;
}

function keyLine(document: Document, key: string, fileLine: (offset: number) => number): number | undefined {
  if (!isMap(document.contents)) return undefined;
  const pair = document.contents.items.find((item) => isScalar(item.key) && item.key.value === key);
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  return range ? fileLine(range[0]) : undefined;
}

function yamlReason(code: string, message: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'a frontmatter key appears twice; keep one';
    case 'MULTIPLE_DOCS':
      return 'the frontmatter holds a second YAML document; remove the extra ---';
    default:
      return `YAML syntax in the frontmatter: ${message.charAt(0).toLowerCase()}${message.slice(1)} (quote the value if it holds a ": " or starts with [ or {)`;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
