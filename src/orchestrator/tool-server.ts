import {
  createSdkMcpServer,
  tool,
  type McpSdkServerConfigWithInstance,
} from '@anthropic-ai/claude-agent-sdk';
import { callTool } from '../tools/call-tool.ts';
import type { AnyTool, ToolContext, ToolResult } from '../tools/tool.ts';

/** The MCP server name the orchestrator sees its tools under: `mcp__baton__create_agent`. */
export const toolServerName = 'baton';

/** The management tools as an in-process MCP server for the orchestrator's Claude Code session. */
export function orchestratorToolServer(
  tools: readonly AnyTool[],
  context: ToolContext,
): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: toolServerName,
    version: '1.0.0',
    tools: tools.map((definition) =>
      tool(definition.name, definition.description, definition.input.shape, async (args) =>
        asMcpResult(await callTool(definition, args, context)),
      ),
    ),
  });
}

/** The names to allow in the session's tool list. */
export function orchestratorToolNames(tools: readonly AnyTool[]): string[] {
  return tools.map((definition) => `mcp__${toolServerName}__${definition.name}`);
}

/**
 * The result as the orchestrator's model reads it: the text only. Claude Code shows a tool's
 * `structuredContent` instead of its text when both are given, and the text is what is written for a model.
 */
function asMcpResult(result: ToolResult) {
  return {
    content: [{ type: 'text' as const, text: result.text }],
    ...(result.isError ? { isError: true } : {}),
  };
}
