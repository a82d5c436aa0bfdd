import { z } from 'zod';
import { errorBody } from '../../protocol/rest.ts';
import type { AnyRouteSpec, Router } from '../route.ts';

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Record<
    string,
    unknown
  > & { properties?: Record<string, unknown>; required?: string[] };

/** Query or path parameters, one per property of the route's schema. */
function parameters(schema: z.ZodType | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema: property,
  }));
}

/** The OpenAPI 3 document of every route registered so far, from the same zod schemas that validate them. */
export function openApiDocument(specs: readonly AnyRouteSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { content: { 'application/json': { schema: jsonSchema(errorBody) } } };
  for (const spec of specs) {
    const path = spec.url.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = {
      summary: spec.summary,
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      ...(spec.body && {
        requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(spec.body) } } },
      }),
      responses: {
        [String(spec.status ?? 200)]: { description: 'success' },
        '400': { description: 'a field is wrong (error.field names it)', ...error },
        '401': { description: 'no or wrong access token', ...error },
        '404': { description: 'not found', ...error },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'baton', version: '0.1.0' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'baton_token' },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  };
}

export function openApiRoutes(router: Router): void {
  router.add({
    method: 'GET',
    url: '/api/openapi.json',
    summary: 'This document.',
    handler: async () => openApiDocument(router.specs),
  });
}
