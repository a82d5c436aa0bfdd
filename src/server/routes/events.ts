import { readEventsAfter } from '../../db/events.ts';
import { toWireEvent } from '../../protocol/wire-event.ts';
import { eventsQuery, type EventsQuery } from '../../protocol/rest.ts';
import type { Queryable } from '../../db/pool.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/**
 * A page of stored events after `fromSeq`, in seq order, with where the next page starts (`nextSeq`):
 * the same backfill a WebSocket subscription does, for clients that page by hand.
 */
export async function eventPage(db: Queryable, query: EventsQuery) {
  const events = await readEventsAfter(
    db,
    query.fromSeq,
    {
      agentId: query.agent,
      runId: query.run,
      adwId: query.adw,
      orchestratorId: query.orchestrator,
      categories: query.category,
    },
    query.limit,
  );
  return {
    events: events.map(toWireEvent),
    nextSeq: events.at(-1)?.seq ?? query.fromSeq,
    more: events.length === query.limit,
  };
}

export function eventRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/events',
    summary: 'Stored events after fromSeq in seq order, narrowed by agent, run, adw, orchestrator, category.',
    query: eventsQuery,
    handler: ({ query }) => eventPage(deps.services.db.pool, query),
  });
}
