import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { defaultServerLimits, type ServerDeps } from './deps.ts';
import { errorResponse } from './http-errors.ts';
import { createRouter, type AnyRouteSpec } from './route.ts';
import { adwRoutes } from './routes/adws.ts';
import { autocompleteRoutes } from './routes/autocomplete.ts';
import { agentRoutes } from './routes/agents.ts';
import { commandRoutes } from './routes/commands.ts';
import { costRoutes } from './routes/cost.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { logRoutes } from './routes/logs.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { orchestratorRoutes } from './routes/orchestrator.ts';
import { rootRoutes } from './routes/root.ts';
import { serverInfoRoutes } from './routes/server-info.ts';
import { templateRoutes } from './routes/templates.ts';
import { expertRoutes } from './routes/experts.ts';
import { toolRoutes } from './routes/tools.ts';
import { workflowRoutes } from './routes/workflows.ts';
import { requestGuard } from './security/request-guard.ts';
import { howToOpenPage } from './ui/pages.ts';
import { createAdwWatcher } from './ws/adw-watcher.ts';
import { startClientSession } from './ws/client-session.ts';

export interface BatonApp {
  app: FastifyInstance;
  /** Every REST route with its schemas (what /api/openapi.json describes). */
  routes: readonly AnyRouteSpec[];
  /** The WebSocket endpoint, guarded like the rest. */
  websocketPath: '/ws';
}

/**
 * The HTTP + WebSocket server as a value: nothing listens until the caller says so (see listen.ts), so
 * tests drive it with `app.inject` or on 127.0.0.1:0. Every request passes the guard first (Host, Origin,
 * token), every input is parsed by its src/protocol schema, and every error leaves as `{error}` JSON.
 */
export async function createApp(deps: ServerDeps): Promise<BatonApp> {
  const limits = { ...defaultServerLimits, ...deps.limits };
  const log = deps.log ?? (() => {});
  const pages = (deps.extensions ?? []).flatMap((extension) => extension.pages ?? []);
  const { guard, refuse } = requestGuard({
    token: deps.token,
    hosts: deps.hosts,
    howToPage: howToOpenPage,
    pages: ['/', ...pages.map((page) => page.path)],
  });
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimitBytes,
    trustProxy: false,
    // A URL the router itself refuses (malformed, a parameter too long) never reaches the hooks: the
    // guard's checks come first here too, and the answer has the same shape as every other error.
    frameworkErrors: (error, request, reply) => {
      const { status, body } = errorResponse(refuse(request) ?? error);
      void (reply as unknown as FastifyReply).code(status).send(body);
    },
  });
  await app.register(websocket, { options: { maxPayload: limits.wsMessageBytes } });

  app.addHook('onRequest', guard);
  // Nothing of baton's may be framed by another site, sniffed into another type, cached, or leak the
  // token-bearing address in a Referer. (The UI's page and assets set their own caching and policy.)
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorResponse(error);
    if (status >= 500)
      log(`server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` },
    }),
  );

  const bus = deps.services.bus();
  const adwWatcher = createAdwWatcher(bus, deps.services.db.pool, log);
  const sessions = new Set<() => void>();
  app.get('/ws', { websocket: true }, (socket) => {
    const close = startClientSession(socket, {
      bus,
      db: deps.services.db.pool,
      adwWatcher,
      orchestrator: deps.orchestrator,
      chat: deps.chat,
      autocomplete: deps.services.autocomplete(),
      limits,
      log,
    });
    sessions.add(close);
    socket.on('close', () => sessions.delete(close));
  });
  app.addHook('onClose', async () => {
    for (const close of sessions) close();
    await adwWatcher.close();
  });

  const router = createRouter(app);
  rootRoutes(router, deps.webUi);
  healthRoutes(router, deps, () => sessions.size, pages);
  serverInfoRoutes(router, deps);
  eventRoutes(router, deps);
  orchestratorRoutes(router, deps);
  adwRoutes(router, deps);
  agentRoutes(router, deps);
  workflowRoutes(router, deps);
  commandRoutes(router, deps);
  templateRoutes(router, deps);
  expertRoutes(router, deps);
  autocompleteRoutes(router, deps);
  logRoutes(router, deps);
  costRoutes(router, deps);
  toolRoutes(router, deps);
  for (const extension of deps.extensions ?? []) await extension.register(app, router);
  openApiRoutes(router);
  await app.ready();
  return { app, routes: router.specs, websocketPath: '/ws' };
}
