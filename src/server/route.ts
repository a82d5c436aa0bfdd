import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { emptyBody } from '../protocol/rest.ts';
import { parseInput } from './http-errors.ts';

/** One REST route, described by its zod schemas: they validate it and they are its OpenAPI entry. */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify syntax: `/api/adws/:id`. */
  url: string;
  summary: string;
  params?: P;
  query?: Q;
  /** POST and PUT only. Omitted: the body must be empty or `{}`. */
  body?: B;
  /** Status of a success. @default 200 */
  status?: number;
  handler(
    input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> },
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown>;
}

export type AnyRouteSpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** Registers routes on the app and keeps their specs, for /api/openapi.json and the security tests. */
export function createRouter(app: FastifyInstance) {
  const specs: AnyRouteSpec[] = [];
  return {
    specs: specs as readonly AnyRouteSpec[],
    add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): void {
      const route = spec as unknown as AnyRouteSpec;
      specs.push(route);
      app.route({
        method: spec.method,
        url: spec.url,
        handler: async (request, reply) => {
          const params = route.params ? parseInput(route.params, request.params, 'params') : {};
          // The access token may ride in the query (see requestGuard); it is not the route's business.
          const { token: _token, ...rawQuery } = (request.query ?? {}) as Record<string, unknown>;
          const query = parseInput(route.query ?? emptyBody, rawQuery, 'query');
          const body =
            spec.method === 'POST' || spec.method === 'PUT'
              ? parseInput(route.body ?? emptyBody, request.body ?? {}, 'body')
              : {};
          const result = await route.handler({ params, query, body }, request, reply);
          // A handler may have set its own status (a tool error); otherwise a success gets the route's.
          if (spec.status && !reply.sent && reply.statusCode === 200) reply.code(spec.status);
          return result;
        },
      });
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
