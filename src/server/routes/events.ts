import { readEventsAfter, readEventsBefore, type EventFilter } from '../../db/events.ts';
import { toWireEvent } from '../../protocol/wire-event.ts';
import { eventsQuery, type EventsQuery } from '../../protocol/rest.ts';
import type { Queryable } from '../../db/pool.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/**
 * A page of stored events after `fromSeq`, in seq order, with where the next page starts (`nextSeq`):
 * the same backfill a WebSocket subscription does, for clients that page by hand. With `beforeSeq`, the
 * page that ends just before it (the web UI pages back from the newest this way); `more` then says
 * whether older events may remain.
 */
export async function eventPage(db: Queryable, query: EventsQuery) {
  const filter: EventFilter = {
    agentId: query.agent,
    runId: query.run,
    adwId: query.adw,
    orchestratorId: query.orchestrator,
    categories: query.category,
  };
  const events =
    query.beforeSeq === undefined
      ? await readEventsAfter(db, query.fromSeq, filter, query.limit)
      : await readEventsBefore(db, query.beforeSeq, filter, query.limit, query.fromSeq);
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
