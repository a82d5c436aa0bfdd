import { resolve } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { startCommandWorker } from '../services/agents/command-worker.ts';
import type { Services } from '../services/services.ts';
import { callTool } from '../tools/call-tool.ts';
import { findTool } from '../tools/registry.ts';
import type { ToolResult } from '../tools/tool.ts';
import { printError } from './error-output.ts';
import { ExitCode } from './exit-codes.ts';
import { camelKeys, printJson } from './json-output.ts';
import { withServices } from './with-services.ts';
import { withInvocation } from './invocation.ts';

export interface ToolCommandOptions {
  cwd: string;
  json?: boolean;
}

/**
 * Runs management tools for a CLI command: the same definitions the orchestrator calls, with the same
 * validation and errors. With `worker`, a command worker runs in this process meanwhile, so a command the
 * tools queue really runs even when no `baton up` is there (like `adw run`); commands it has not finished
 * when it exits go back to the queue.
 */
export async function runToolCommand(
  options: ToolCommandOptions & { worker?: boolean },
  work: (
    call: (name: string, args: Record<string, unknown>) => Promise<ToolResult>,
    services: Services,
  ) => Promise<ToolResult>,
): Promise<number> {
  const config = loadConfig();
  return withServices(async (services: Services) => {
    const worker = options.worker
      ? await startCommandWorker(services, { concurrency: config.maxAgents })
      : undefined;
    try {
      const context = { services, cwd: resolve(options.cwd) };
      const result = await work((name, args) => callTool(findTool(name)!, args, context), services);
      print(result, options.json);
      return result.isError ? ExitCode.usage : ExitCode.ok;
    } finally {
      await worker?.stop();
    }
  }, config);
}

function print(result: ToolResult, json?: boolean): void {
  // An error is an error whatever the output format: the one prefix, on stderr (the exit code says 2).
  if (result.isError) printError(result.text);
  else if (json) printJson(camelKeys(result.structured));
  else console.log(withInvocation(result.text));
}
