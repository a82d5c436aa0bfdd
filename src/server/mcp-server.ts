import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { callTool } from '../tools/call-tool.ts';
import type { AnyTool, ToolContext } from '../tools/tool.ts';

/**
 * baton's management tools as an MCP server (`baton mcp`), for Claude Code, Claude Desktop or any MCP
 * client: the same definitions and argument names the orchestrator uses. Results carry the text for a
 * model and the same facts as structured content.
 */
export function createMcpServer(tools: readonly AnyTool[], context: ToolContext, version: string): McpServer {
  const server = new McpServer({ name: 'baton', version });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: tool.input },
      async (args: unknown) => {
        const result = await callTool(tool, args, context);
        return {
          content: [{ type: 'text' as const, text: result.text }],
          structuredContent: result.structured,
          ...(result.isError ? { isError: true } : {}),
        };
      },
    );
  }
  return server;
}
