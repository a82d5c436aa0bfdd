import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { expertListSchema, type ExpertListing } from '../src/api/expert-schemas.ts';
import { ApiError } from '../src/api/http.ts';
import { shownError } from '../src/lib/api-error.ts';
import { timeAgo } from '../src/lib/relative-time.ts';
import { expertStanding, useExpertsStore } from '../src/stores/experts.ts';
import { useLiveStore } from '../src/stores/live.ts';

/** A listing as GET /api/experts answers it (JSON: times are strings), checked by the UI's schema. */
const answer = expertListSchema.parse({
  experts: [
    {
      domain: 'greeting',
      hasExpertise: true,
      lines: 12,
      maxLines: 800,
      version: 2,
      lastImproved: '2026-12-02T15:00:00.000Z',
      commit: '0123456789abcdef0123456789abcdef01234567',
      staleClaims: 0,
      filesChanged: 0,
      modified: false,
    },
    {
      domain: 'billing',
      hasExpertise: true,
      lines: 40,
      maxLines: 800,
      version: 1,
      lastImproved: '2026-12-01T10:00:00.000Z',
      commit: 'fedcba9876543210fedcba9876543210fedcba98',
      staleClaims: 2,
      filesChanged: 5,
      modified: false,
    },
    {
      domain: 'database',
      hasExpertise: true,
      lines: 30,
      maxLines: 800,
      version: 3,
      lastImproved: '2026-12-02T12:00:00.000Z',
      commit: '1111111111111111111111111111111111111111',
      staleClaims: 0,
      filesChanged: 3,
      modified: false,
    },
    { domain: 'drafts', hasExpertise: false, maxLines: 800 },
  ],
});

describe('the experts store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('holds the listing applied through the live store, each row with its standing, and counts those to check', () => {
    const experts = useExpertsStore();
    expect(experts.listing).toBeUndefined();
    useLiveStore().apply({ type: 'local.experts.loaded', experts: answer.experts });
    expect(experts.rows.map((row) => [row.domain, row.standing])).toEqual([
      ['greeting', 'fresh'],
      ['billing', 'stale'],
      ['database', 'drifted'],
      ['drafts', 'unchecked'],
    ]);
    expect(experts.rows[1]).toMatchObject({ staleClaims: 2, filesChanged: 5, lines: 40 });
    expect(experts.needingCheck).toBe(2);

    // The next listing replaces it: the stale expert was improved, the drifted one rechecked.
    const improved: ExpertListing[] = answer.experts.map((expert) =>
      expert.version === undefined ? expert : { ...expert, staleClaims: 0, filesChanged: 0 },
    );
    useLiveStore().apply({ type: 'local.experts.loaded', experts: improved });
    expect(experts.needingCheck).toBe(0);
    expect(experts.rows.map((row) => row.standing)).toEqual(['fresh', 'fresh', 'fresh', 'unchecked']);
  });

  it('a file edited since its version counts as drifted even with no file changed', () => {
    expect(expertStanding({ ...answer.experts[0]!, modified: true })).toBe('drifted');
    expect(expertStanding({ ...answer.experts[0]!, filesChanged: 1 })).toBe('drifted');
    expect(expertStanding({ ...answer.experts[0]!, staleClaims: 1, filesChanged: 1 })).toBe('stale');
  });

  it('a failed listing is kept with what to do, the last listing stays, and the next one clears the error', () => {
    const experts = useExpertsStore();
    const live = useLiveStore();
    live.apply({ type: 'local.experts.loaded', experts: answer.experts });
    const error = shownError(
      new ApiError(503, 'database_unavailable', 'The database is not reachable.'),
      'loading the experts',
    );
    live.apply({ type: 'local.experts.failed', error });
    expect(experts.error?.message).toBe('The database is not reachable.');
    expect(experts.error?.todo).toMatch(/Try loading the experts again; the terminal running `baton up`/);
    expect(experts.rows).toHaveLength(4);
    live.apply({ type: 'local.experts.loaded', experts: [] });
    expect(experts.error).toBeUndefined();
    expect(experts.rows).toEqual([]);
  });

  it('the schema refuses a listing without its domain', () => {
    expect(expertListSchema.safeParse({ experts: [{ hasExpertise: true, maxLines: 800 }] }).success).toBe(
      false,
    );
  });
});

describe('timeAgo', () => {
  const now = Date.parse('2026-12-02T16:00:00.000Z');
  it('says how long ago, coarser with age', () => {
    expect(timeAgo('2026-12-02T15:59:30.000Z', now)).toBe('just now');
    expect(timeAgo('2026-12-02T15:55:00.000Z', now)).toBe('5m ago');
    expect(timeAgo('2026-12-02T13:00:00.000Z', now)).toBe('3h ago');
    expect(timeAgo('2026-11-29T16:00:00.000Z', now)).toBe('3d ago');
    expect(timeAgo('not a time', now)).toBe('not a time');
  });
});
