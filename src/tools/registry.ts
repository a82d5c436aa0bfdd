import { askExpert } from './ask-expert.ts';
import { cancelAdw } from './cancel-adw.ts';
import { checkAdw } from './check-adw.ts';
import { checkAgentStatus } from './check-agent-status.ts';
import { commandAgent } from './command-agent.ts';
import { createAgent } from './create-agent.ts';
import { deleteAgent } from './delete-agent.ts';
import { improveExpert } from './improve-expert.ts';
import { interruptAgent } from './interrupt-agent.ts';
import { listAdws } from './list-adws.ts';
import { listAgents } from './list-agents.ts';
import { readSystemLogsTool } from './read-system-logs.ts';
import { reportCost } from './report-cost.ts';
import { resumeAdw } from './resume-adw.ts';
import { startAdw } from './start-adw.ts';
import type { AnyTool } from './tool.ts';
import { waitForAgent } from './wait-for-agent.ts';

/** Every management tool, in the order a model reads them. The orchestrator, server, CLI and MCP use this list. */
export const managementTools: readonly AnyTool[] = Object.freeze([
  createAgent,
  listAgents,
  commandAgent,
  checkAgentStatus,
  waitForAgent,
  interruptAgent,
  deleteAgent,
  readSystemLogsTool,
  reportCost,
  startAdw,
  checkAdw,
  listAdws,
  cancelAdw,
  resumeAdw,
  askExpert,
  improveExpert,
]);

/** The tool named `name`, if there is one. */
export function findTool(name: string): AnyTool | undefined {
  return managementTools.find((tool) => tool.name === name);
}
