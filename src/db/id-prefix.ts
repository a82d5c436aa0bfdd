import { NotFoundError, UserError } from '../core/errors.ts';
import type { Queryable } from './pool.ts';

/**
 * Ids as people type them: any unique prefix of a uuid, like git and docker accept for commits and
 * containers. Every command that takes an id resolves it here, so they all agree on what is found, what is
 * ambiguous and how that is said.
 */

/** The kinds of id a command may take: the table each lives in, how it is named, where to list them. */
const kinds = {
  adw: { table: 'adws', noun: 'ADW', listHint: 'list them with `baton adw ls`' },
  run: { table: 'agent_runs', noun: 'run', listHint: '`baton agent run` prints the id of each run' },
  agent: { table: 'agents', noun: 'agent', listHint: 'list them with `baton agents ls`' },
  prompt: { table: 'prompts', noun: 'prompt', listHint: '`baton agents status <name> --json` shows them' },
} as const;

export type IdKind = keyof typeof kinds;

/** How many candidates an ambiguous prefix lists before saying "and more". */
const shownCandidates = 5;

/** The 8 characters of an id that `ls` and the live views show. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * The id `prefix` stands for: the one row of that kind whose id starts with it. `argument` names where it
 * came from (`<id>`, `--adw`), so the error says what to change. Throws NotFoundError when none matches and
 * UserError, listing the candidates, when several do.
 */
export async function resolveIdPrefix(
  db: Queryable,
  kind: IdKind,
  prefix: string,
  argument: string,
): Promise<string> {
  const found = await findIdPrefix(db, kind, prefix, argument);
  if (found === undefined) {
    const { noun, listHint } = kinds[kind];
    throw new NotFoundError(`No ${noun} ${prefix} (given as ${argument}): ${listHint}.`, {
      field: argument,
    });
  }
  return found;
}

/** As resolveIdPrefix, but undefined when nothing matches (for arguments that may be something else too). */
export async function findIdPrefix(
  db: Queryable,
  kind: IdKind,
  prefix: string,
  argument: string,
): Promise<string | undefined> {
  const { table, noun } = kinds[kind];
  // A whole id is looked up by key; only a prefix needs the (sequential) text match. The prefix holds only
  // hex digits and dashes (see isIdPrefix), so it carries no LIKE wildcards.
  const whole = prefix.length === 36;
  const result = await db.query<{ id: string }>(
    whole
      ? `select id from ${table} where id = $1`
      : `select id from ${table} where id::text like $1 || '%' order by created_at desc limit $2`,
    whole ? [prefix] : [prefix.toLowerCase(), shownCandidates + 1],
  );
  const ids = result.rows.map((row) => row.id);
  if (ids.length <= 1) return ids[0];
  const count = ids.length > shownCandidates ? `more than ${shownCandidates}` : String(ids.length);
  const listed = ids.slice(0, shownCandidates).map((id) => {
    const short = distinguishing(id, ids);
    return short === id ? `  ${id}` : `  ${short}  ${id}`;
  });
  throw new UserError(
    `${argument} ${prefix} is ambiguous: it starts ${count} ${noun} ids (newest first):\n${listed.join('\n')}\n` +
      `Pass more characters of the one you mean.`,
    { field: argument },
  );
}

/** The short id of `id`, lengthened until no other candidate starts with it. */
function distinguishing(id: string, candidates: string[]): string {
  let length = 8;
  while (
    length < id.length &&
    candidates.some((other) => other !== id && other.startsWith(id.slice(0, length)))
  )
    length += 1;
  return id.slice(0, length);
}

const wholeIdShape = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';

/** The shortest prefix accepted: fewer digits would match half the ledger. */
export const minimumPrefixDigits = 4;

/** Whether `text` is the start of a uuid's text form (dashes where a uuid has them) with enough digits. */
export function isIdPrefix(text: string): boolean {
  if (text.length > wholeIdShape.length) return false;
  let digits = 0;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (wholeIdShape[index] === '-') {
      if (character !== '-') return false;
    } else if (/^[0-9a-f]$/i.test(character)) {
      digits += 1;
    } else {
      return false;
    }
  }
  return digits >= minimumPrefixDigits;
}
