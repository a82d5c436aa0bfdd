import { describeError, isAppError } from '../core/errors.ts';
import type { AnyTool, ToolContext, ToolResult } from './tool.ts';

/** A tool error a caller can show as is; `field` names the argument to change when one is wrong. */
export function toolError(message: string, details: Record<string, unknown> = {}): ToolResult {
  return { text: message, structured: { error: message, ...details }, isError: true };
}

/**
 * Validates `args` against the tool's schema and runs it. Bad arguments and baton's own errors (an unknown
 * agent, a name in use) come back as tool errors naming what to change, never as exceptions; anything
 * else is a bug and is thrown.
 */
export async function callTool(tool: AnyTool, args: unknown, context: ToolContext): Promise<ToolResult> {
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(arguments)';
    return toolError(`${tool.name}: argument "${field}": ${issue.message}`, { field });
  }
  try {
    return await tool.run(parsed.data, context);
  } catch (error) {
    if (isAppError(error) && error.code !== 'internal') {
      const field = error.field === undefined ? {} : { field: error.field };
      return toolError(`${tool.name}: ${describeError(error)}`, { code: error.code, ...field });
    }
    throw error;
  }
}
