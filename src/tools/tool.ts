/**
 * A management tool, defined once: the orchestrator agent (an in-process SDK MCP server), the REST API,
 * the CLI and `baton mcp` all expose the same definitions. A tool is data plus a handler over the services;
 * callers never invoke `run` directly but go through `callTool`, which validates the arguments first.
 */
import type { z } from 'zod';
import type { Services } from '../services/services.ts';

export interface ToolContext {
  services: Services;
  /** The workspace the caller works in (`--cwd`, the orchestrator's working directory). */
  cwd: string;
  /** Set when the orchestrator agent calls the tool, so what it creates is attributed to it. */
  orchestratorId?: string;
}

/** What a tool returns: text a model can read, plus the same facts as data for programs. */
export interface ToolResult {
  text: string;
  structured: Record<string, unknown>;
  isError?: boolean;
}

/**
 * Inputs are zod objects: the SDK's in-process MCP server and the MCP SDK both take an object's shape.
 */
export interface Tool<Input extends z.ZodObject = z.ZodObject> {
  /** snake_case, as a model calls it: `create_agent`. */
  name: string;
  /** Written for a model: when to use it, what it returns. */
  description: string;
  input: Input;
  run(input: z.output<Input>, context: ToolContext): Promise<ToolResult>;
}

/** Lets tools with different inputs share one list. */
export type AnyTool = Tool<z.ZodObject>;

export function defineTool<Input extends z.ZodObject>(tool: Tool<Input>): AnyTool {
  return tool as unknown as AnyTool;
}
