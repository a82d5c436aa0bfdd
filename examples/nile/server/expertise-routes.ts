import type { Pool } from '../../../src/db/pool.ts';
import type { Router } from '../../../src/server/route.ts';
import type { HomePageResponse, LivePromptResponse } from '../protocol.ts';
import { cartProductIds } from './cart-db.ts';
import { readExpertise, resetExpertise } from './expertise-db.ts';
import { genericPage } from './generic-page.ts';
import { buildHomePrompt } from './home-prompt.ts';
import { currentShopper, requireShopper } from './session-cookie.ts';

/** What the shop has learnt (read and reset), the prompt it would give the agent, the generic page. */
export function expertiseRoutes(router: Router, pool: Pool, acted: (shopperId: string) => void): void {
  router.add({
    method: 'GET',
    url: '/api/nile/expertise',
    summary: 'Nile: what the shop has learnt about the signed-in shopper',
    async handler(_input, request) {
      return readExpertise(pool, (await requireShopper(pool, request)).id);
    },
  });
  router.add({
    method: 'DELETE',
    url: '/api/nile/expertise',
    summary: 'Nile: forget what the shop has learnt about the signed-in shopper',
    async handler(_input, request) {
      const shopper = await requireShopper(pool, request);
      const reset = await resetExpertise(pool, shopper.id);
      acted(shopper.id);
      return reset;
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/expertise/live-prompt',
    summary: 'Nile: the exact system and user prompt the home-page agent would get now',
    async handler(_input, request) {
      const shopper = await requireShopper(pool, request);
      const { systemPrompt, userPrompt, totalImprovements, prefetchedProducts } = await buildHomePrompt(
        pool,
        shopper,
      );
      return { systemPrompt, userPrompt, totalImprovements, prefetchedProducts } satisfies LivePromptResponse;
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/home',
    summary: 'Nile: the generic home page (what a new shopper sees, and the fallback)',
    async handler(_input, request) {
      const shopper = await currentShopper(pool, request);
      const exclude = shopper ? await cartProductIds(pool, shopper.id) : [];
      return { sections: await genericPage(pool, exclude) } satisfies HomePageResponse;
    },
  });
}
