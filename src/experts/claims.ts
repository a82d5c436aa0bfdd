/**
 * What an expertise file claims about the code, found in its parsed YAML, deterministically:
 * - a **path**: a string value (or a mapping key) that is a relative file path (`src/db/pool.ts`,
 *   `README.md`, optionally `:12` or `:12-30`), or a path with a folder inside a longer text;
 * - a **symbol**: a name listed under a key that says what it is (`functions`, `classes`, `tables`,
 *   `events`, `routes`, `symbols`, `methods` and their singulars), as a list item, a mapping key, or
 *   the value itself; and a backquoted call in any text (`` `startAgentRun()` ``).
 * Everything else is prose baton does not check. The self-improve prompt tells the agent this.
 */
export type ClaimKind = 'path' | 'symbol';

export interface Claim {
  kind: ClaimKind;
  /** As written in the file (`src/db/pool.ts:12`, `createPool(url)`). */
  text: string;
  /** What is looked for: the path without its line numbers, the bare name of a symbol. */
  target: string;
  /** Where in the YAML it was found (`core_implementation.functions[2]`). */
  at: string;
}

const symbolKeys = new Set([
  'function',
  'functions',
  'class',
  'classes',
  'table',
  'tables',
  'event',
  'events',
  'route',
  'routes',
  'symbol',
  'symbols',
  'method',
  'methods',
]);

/** A whole value that is a file path: at least one dot-extension, no spaces, no scheme. */
const wholePath = /^(?:\.\/)?([\w@-][\w.@-]*(?:\/[\w.@-]+)*\.[A-Za-z0-9]{1,10})(?::\d+(?:-\d+)?)?$/;
/** A path inside a text: it has a folder, so `e.g.` or `v1.2` are not taken for paths. */
const pathInText =
  /(?<![\w/.:@-])((?:\.\/)?(?:[\w@-][\w.@-]*\/)+[\w@-][\w.@-]*\.[A-Za-z0-9]{1,10})(?::\d+(?:-\d+)?)?(?![\w/-])/g;
const backquotedCall = /`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\([^`]*\)`/g;

/** Every claim in the expertise, each target once per kind (the first place it is found). */
export function extractClaims(value: unknown): Claim[] {
  const claims = new Map<string, Claim>();
  const add = (kind: ClaimKind, text: string, target: string, at: string) => {
    if (!target) return;
    const key = `${kind}:${target}`;
    if (!claims.has(key)) claims.set(key, { kind, text, target, at });
  };

  const visitText = (text: string, at: string, symbolKey: string | undefined) => {
    const trimmed = text.trim();
    if (symbolKey) {
      const symbol = symbolName(trimmed, symbolKey);
      if (symbol) return add('symbol', trimmed, symbol, at);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return; // a URL
    const whole = wholePath.exec(trimmed);
    if (whole && !/^\d+(\.\d+)+$/.test(trimmed)) return add('path', trimmed, whole[1]!, at);
    for (const match of trimmed.matchAll(pathInText)) {
      if (!isUrlPart(trimmed, match.index)) add('path', match[0], match[1]!.replace(/^\.\//, ''), at);
    }
    for (const match of trimmed.matchAll(backquotedCall)) add('symbol', match[0], lastPart(match[1]!), at);
  };

  const visit = (node: unknown, at: string, symbolKey: string | undefined) => {
    if (typeof node === 'string') return visitText(node, at, symbolKey);
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${at}[${index}]`, symbolKey));
      return;
    }
    if (typeof node === 'object' && node !== null) {
      const entries = Object.entries(node);
      // A symbol written as `{ name: createPool, file: src/db/pool.ts }`: the name is the symbol.
      const named = symbolKey && typeof (node as { name?: unknown }).name === 'string';
      for (const [key, child] of entries) {
        const childAt = at ? `${at}.${key}` : key;
        if (named) {
          if (key === 'name') visitText(child as string, childAt, symbolKey);
          else visit(child, childAt, undefined);
        } else if (symbolKey) {
          // A mapping from symbol names to what they are: the keys are the symbols.
          visitText(key, childAt, symbolKey);
          visit(child, childAt, undefined);
        } else {
          if (wholePath.test(key)) visitText(key, childAt, undefined);
          const kind = key.toLowerCase();
          visit(child, childAt, symbolKeys.has(kind) ? kind : undefined);
        }
      }
    }
  };
  visit(value, '', undefined);
  return [...claims.values()];
}

/**
 * The name a symbol entry is about: `createPool(url)` → `createPool`, `Pool.query` → `query`,
 * `GET /api/health` → `/api/health`, `agent_runs` → `agent_runs`, under `events` `step.started` as it
 * is; undefined for prose.
 */
export function symbolName(entry: string, key = 'symbols'): string | undefined {
  if (key.startsWith('event')) {
    const event = /^[A-Za-z_$][\w$.:/-]*/.exec(entry); // step.started, adw:updated, RunEnded
    return event && (event[0].length === entry.length || /^[\s(:]/.test(entry.slice(event[0].length)))
      ? event[0].replace(/:$/, '')
      : undefined;
  }
  const route = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|WS)\s+(\/\S*)$/i.exec(entry);
  if (route) return route[1];
  if (/^\/[\w/:{}.-]*$/.test(entry)) return entry; // a route written alone
  const call = /^(?:async\s+)?([A-Za-z_$][\w$]*(?:[.#][A-Za-z_$][\w$]*)*)\s*(?:\(.*\))?(?:\s*:.*)?$/.exec(
    entry,
  );
  if (call) return lastPart(call[1]!);
  return undefined;
}

function lastPart(name: string): string {
  return name.split(/[.#]/).at(-1)!;
}

function isUrlPart(text: string, index: number): boolean {
  const before = text.slice(0, index);
  return /[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(before);
}
