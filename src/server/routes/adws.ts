import { NotFoundError } from '../../core/errors.ts';
import { getAdw, getStep, listAdws, listSteps } from '../../db/adws.ts';
import { readStepArtifact } from '../../services/adws/artifact-file.ts';
import {
  adwListQuery,
  adwStepParams,
  idParams,
  resumeAdwBody,
  scopedEventsQuery,
  startAdwBody,
} from '../../protocol/rest.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';
import { eventPage } from './events.ts';

/** ADWs: reads straight from the ledger; start, cancel and resume through the ADW service. */
export function adwRoutes(router: Router, deps: ServerDeps): void {
  const pool = deps.services.db.pool;

  async function existing(id: string) {
    const row = await getAdw(pool, id);
    if (!row) throw new NotFoundError(`No ADW ${id}.`);
    return row;
  }

  router.add({
    method: 'GET',
    url: '/api/adws',
    summary: 'ADWs, newest first, optionally of one status.',
    query: adwListQuery,
    handler: async ({ query }) => ({ adws: await listAdws(pool, query) }),
  });

  router.add({
    method: 'GET',
    url: '/api/adws/:id',
    summary: 'One ADW with its steps.',
    params: idParams,
    handler: async ({ params }) => ({
      adw: await existing(params.id),
      steps: await listSteps(pool, params.id),
    }),
  });

  router.add({
    method: 'GET',
    url: '/api/adws/:id/events',
    summary: "An ADW's events (every step's agent included) after fromSeq, in seq order.",
    params: idParams,
    query: scopedEventsQuery,
    handler: async ({ params, query }) => {
      await existing(params.id);
      return eventPage(pool, { ...query, adw: params.id });
    },
  });

  router.add({
    method: 'GET',
    url: '/api/adws/:id/steps/:position/artifact',
    summary:
      'The artifact (spec, review or fix report) the engine recorded for one step, as text; 404 when it has none.',
    params: adwStepParams,
    handler: async ({ params }) => {
      const adw = await existing(params.id);
      const step = await getStep(pool, params.id, params.position);
      if (!step)
        throw new NotFoundError(
          `ADW ${params.id} has no step at position ${params.position} (it has ${adw.total_steps}: 0 to ${adw.total_steps - 1}).`,
        );
      return { artifact: await readStepArtifact(adw, step) };
    },
  });

  router.add({
    method: 'POST',
    url: '/api/adws',
    summary: "Starts a workflow in the server's workspace; a worker runs its steps.",
    body: startAdwBody,
    status: 201,
    handler: async ({ body }) => {
      const adws = await deps.services.adws();
      return { adw: await adws.start({ ...body, cwd: deps.cwd }) };
    },
  });

  router.add({
    method: 'POST',
    url: '/api/adws/:id/cancel',
    summary: 'Cancels an ADW; its running step stops within seconds.',
    params: idParams,
    handler: async ({ params }) => ({ adw: await (await deps.services.adws()).cancel(params.id) }),
  });

  router.add({
    method: 'POST',
    url: '/api/adws/:id/resume',
    summary:
      'Continues a paused, failed or cancelled ADW from its first unfinished step, optionally with more budget.',
    params: idParams,
    body: resumeAdwBody,
    handler: async ({ params, body }) => ({
      adw: await (await deps.services.adws()).resume(params.id, body),
    }),
  });
}
