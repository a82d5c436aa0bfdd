import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { resolveModel } from '../../../src/agent/models.ts';
import { errorResponse } from '../../../src/server/http-errors.ts';
import type { ServerExtension } from '../../../src/server/deps.ts';
import type { Services } from '../../../src/services/services.ts';
import { nileRoutes } from '../protocol.ts';
import { prepareNileDatabase } from './database.ts';
import { expertiseRoutes } from './expertise-routes.ts';
import { createHomePages, type HomePages } from './home-sockets.ts';
import { currentShopper, notSignedIn } from './session-cookie.ts';
import { sessionRoutes } from './session-routes.ts';
import { shopRoutes } from './shop-routes.ts';
import type { ShopperRecord } from './shoppers-db.ts';
import { createShop } from './shop.ts';

export interface NileServerOptions {
  services: Services;
  /** The home-page agent's model: an alias or a model id. @default haiku */
  model?: string;
  /** The model is baton's fake model server playing Nile's script (said on every page). */
  scripted: boolean;
  /** The agents' working directory. @default BATON_HOME/nile */
  workDir?: string;
  log?: (line: string) => void;
  /** Receives the open home pages once registered (tests count them). */
  onPages?: (pages: HomePages) => void;
}

/**
 * Nile's back end as a baton server extension: the `nile` schema migrated and seeded, the REST routes
 * under /api/nile/ and the home page's WebSocket /ws/nile, all behind baton's guard (Host, Origin,
 * access token); the shopper is the `nile_session` cookie.
 */
export function nileExtension(options: NileServerOptions): ServerExtension {
  return {
    name: 'nile',
    async register(app, router) {
      const pool = options.services.db.pool;
      await prepareNileDatabase(pool);
      const workDir = options.workDir ?? join(options.services.config.home, 'nile');
      await mkdir(workDir, { recursive: true });
      const pages = createHomePages({
        services: options.services,
        workDir,
        model: resolveModel(options.model ?? 'haiku', 'the Nile model'),
        scripted: options.scripted,
        log: options.log,
      });
      options.onPages?.(pages);
      const shop = createShop(pool, pages.acted);
      sessionRoutes(router, pool);
      shopRoutes(router, pool, shop);
      expertiseRoutes(router, pool, pages.acted);

      // The shopper is read before the upgrade, so a socket without a session is refused with a 401.
      const shoppers = new WeakMap<FastifyRequest, ShopperRecord>();
      app.get(
        nileRoutes.socket,
        {
          websocket: true,
          preValidation: async (request, reply) => {
            const shopper = await currentShopper(pool, request);
            if (!shopper) {
              const { status, body } = errorResponse(notSignedIn());
              return reply.code(status).send(body);
            }
            shoppers.set(request, shopper);
          },
        },
        (socket, request) => {
          const shopper = shoppers.get(request);
          if (!shopper) return socket.close(1008, 'not signed in');
          pages.open(socket, shopper);
        },
      );
      app.addHook('onClose', async () => pages.closeAll());
    },
  };
}
