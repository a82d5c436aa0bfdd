import type { StartAdwBody } from '@protocol';
import { requestJson, type FetchLike } from './http.ts';
import {
  adwAnswerSchema,
  adwEventPageSchema,
  adwWithStepsSchema,
  artifactSchema,
  serverInfoSchema,
  workflowListSchema,
} from './adw-schemas.ts';

const adwPath = (id: string) => `/api/adws/${encodeURIComponent(id)}`;

/** The REST calls of the swimlanes (spread into createApiClient). */
export function createAdwCalls(fetchImpl: FetchLike) {
  return {
    /** One ADW with its step runs. */
    adwDetail(id: string) {
      return requestJson(fetchImpl, adwPath(id), adwWithStepsSchema);
    },
    /** The newest `limit` events of an ADW (every step's agent included), oldest first. */
    adwEvents(id: string, limit: number) {
      const query = new URLSearchParams({ limit: String(limit), beforeSeq: String(Number.MAX_SAFE_INTEGER) });
      return requestJson(fetchImpl, `${adwPath(id)}/events?${query}`, adwEventPageSchema);
    },
    /** What the engine recorded for a step as its artifact (a spec, a review or fix report). */
    async adwArtifact(id: string, position: number) {
      return (await requestJson(fetchImpl, `${adwPath(id)}/steps/${position}/artifact`, artifactSchema))
        .artifact;
    },
    workflows() {
      return requestJson(fetchImpl, '/api/workflows', workflowListSchema);
    },
    serverInfo() {
      return requestJson(fetchImpl, '/api/server-info', serverInfoSchema);
    },
    async startAdw(body: StartAdwBody) {
      return (await requestJson(fetchImpl, '/api/adws', adwAnswerSchema, { method: 'POST', body })).adw;
    },
    async cancelAdw(id: string) {
      return (await requestJson(fetchImpl, `${adwPath(id)}/cancel`, adwAnswerSchema, { method: 'POST' })).adw;
    },
    async resumeAdw(id: string, body: { addCostUsd?: number; addTurns?: number }) {
      return (
        await requestJson(fetchImpl, `${adwPath(id)}/resume`, adwAnswerSchema, { method: 'POST', body })
      ).adw;
    },
  };
}
