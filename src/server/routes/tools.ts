import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { toolArgumentsBody, toolParams } from '../../protocol/rest.ts';
import { callTool } from '../../tools/call-tool.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/**
 * The management tools, mounted generically: whatever list the deps give is listed with its JSON schema
 * and callable by name. A tool error (bad arguments, an unknown agent) is a 400 carrying the tool's result.
 */
export function toolRoutes(router: Router, deps: ServerDeps): void {
  const tools = new Map((deps.tools ?? []).map((tool) => [tool.name, tool]));

  router.add({
    method: 'GET',
    url: '/api/tools',
    summary: 'The management tools: name, description and the JSON schema of their arguments.',
    handler: async () => ({
      tools: [...tools.values()].map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }),
      })),
    }),
  });

  router.add({
    method: 'POST',
    url: '/api/tools/:name',
    summary:
      'Runs one management tool with the body as its arguments; returns its text and structured result.',
    params: toolParams,
    body: toolArgumentsBody,
    handler: async ({ params, body }, _request, reply) => {
      const tool = tools.get(params.name);
      if (!tool) throw new NotFoundError(`No tool ${params.name}: GET /api/tools lists them.`);
      const result = await callTool(tool, body, { services: deps.services, cwd: deps.cwd });
      if (!result.isError) return { text: result.text, structured: result.structured, isError: false };
      const field =
        typeof result.structured.field === 'string' ? `body.${result.structured.field}` : undefined;
      reply.code(400);
      return {
        error: { code: 'tool_error', message: result.text, ...(field && { field }) },
        text: result.text,
        structured: result.structured,
        isError: true,
      };
    },
  });
}
