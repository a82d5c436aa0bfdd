import type { AutocompleteFeedbackKind } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** Represents records in the autocomplete_feedback table. */
export interface AutocompleteFeedbackRow {
  id: string;
  working_dir: string;
  kind: AutocompleteFeedbackKind;
  input: string;
  completion: string | null;
  reason: string | null;
  offered: string[];
  created_at: Date;
}

export interface NewAutocompleteFeedback {
  workingDir: string;
  kind: AutocompleteFeedbackKind;
  input: string;
  /** Accepted only. */
  completion?: string;
  reason?: string;
  /** Rejected only: the completions on offer. */
  offered?: readonly string[];
}

/** Records what the person did with a set of suggestions; text passes the redaction gate. */
export async function insertAutocompleteFeedback(
  db: Queryable,
  feedback: NewAutocompleteFeedback,
): Promise<AutocompleteFeedbackRow> {
  const { rows } = await db.query<AutocompleteFeedbackRow>(
    `insert into autocomplete_feedback (working_dir, kind, input, completion, reason, offered)
     values ($1, $2, $3, $4, $5, $6) returning *`,
    [
      feedback.workingDir,
      feedback.kind,
      storableText(feedback.input),
      storableText(feedback.completion),
      storableText(feedback.reason),
      JSON.stringify(storableValue([...(feedback.offered ?? [])])),
    ],
  );
  return rows[0]!;
}

/** The `limit` latest rows of a working directory, newest first. */
export async function recentAutocompleteFeedback(
  db: Queryable,
  workingDir: string,
  limit: number,
): Promise<AutocompleteFeedbackRow[]> {
  const { rows } = await db.query<AutocompleteFeedbackRow>(
    `select * from autocomplete_feedback where working_dir = $1
      order by created_at desc, id desc limit $2`,
    [workingDir, limit],
  );
  return rows;
}

/** A phrase and how often it occurs. */
export interface PhraseCount {
  text: string;
  count: number;
}

/** What the rows older than the latest `skip` add up to: counts, never the rows themselves. */
export interface AutocompleteFeedbackDigest {
  accepted: number;
  rejected: number;
  /** The completions accepted most often (case-insensitively the same), most frequent first. */
  topAccepted: PhraseCount[];
  /** The completions offered most often without being taken. */
  topIgnored: PhraseCount[];
  /** The first three words of messages sent without a suggestion, most frequent first. */
  topOpenings: PhraseCount[];
}

/**
 * Aggregates a working directory's feedback past its `skip` latest rows in one query (the rows
 * themselves never leave the database), keeping the `top` most frequent phrases of each kind.
 */
export async function autocompleteFeedbackDigest(
  db: Queryable,
  workingDir: string,
  skip: number,
  top: number,
): Promise<AutocompleteFeedbackDigest> {
  const { rows } = await db.query<{ what: string; text: string; count: number }>(
    `with older as materialized (
       select kind, input, completion, offered from autocomplete_feedback
        where working_dir = $1 order by created_at desc, id desc offset $2
     )
     select 'total' as what, kind as text, count(*)::int as count from older group by kind
     union all
     (select 'accepted', min(completion), count(*)::int from older where kind = 'accepted'
       group by lower(completion) order by 3 desc, 2 limit $3)
     union all
     (select 'ignored', min(o.value), count(*)::int
        from older, jsonb_array_elements_text(older.offered) as o(value)
       where kind = 'rejected' group by lower(o.value) order by 3 desc, 2 limit $3)
     union all
     (select 'opening', opening, count(*)::int
        from (select lower(array_to_string((regexp_split_to_array(btrim(input), '\\s+'))[1:3], ' ')) as opening
                from older where kind = 'rejected') as sent
       where opening <> '' group by opening order by 3 desc, 2 limit $3)`,
    [workingDir, skip, top],
  );
  const digest: AutocompleteFeedbackDigest = {
    accepted: 0,
    rejected: 0,
    topAccepted: [],
    topIgnored: [],
    topOpenings: [],
  };
  for (const row of rows) {
    if (row.what === 'total') {
      if (row.text === 'accepted') digest.accepted = row.count;
      else if (row.text === 'rejected') digest.rejected = row.count;
    } else if (row.what === 'accepted') digest.topAccepted.push({ text: row.text, count: row.count });
    else if (row.what === 'ignored') digest.topIgnored.push({ text: row.text, count: row.count });
    else digest.topOpenings.push({ text: row.text, count: row.count });
  }
  return digest;
}

/** How much a working directory's autocomplete has learned from. */
export async function autocompleteFeedbackCounts(
  db: Queryable,
  workingDir: string,
): Promise<{ accepted: number; rejected: number }> {
  const { rows } = await db.query<{ accepted: number; rejected: number }>(
    `select count(*) filter (where kind = 'accepted')::int as accepted,
            count(*) filter (where kind = 'rejected')::int as rejected
       from autocomplete_feedback where working_dir = $1`,
    [workingDir],
  );
  return rows[0] ?? { accepted: 0, rejected: 0 };
}
