import type { HookCallbackMatcher, HookEvent, Options } from '@anthropic-ai/claude-agent-sdk';
import type { ClaudeProcess } from './claude-process.ts';
import type { AgentRunRequest, AgentRuntime } from './run-agent.ts';
import { sessionHookSettings } from './session-hooks.ts';

/**
 * The SDK options of one run: Claude Code's own system prompt and tools (restricted when asked), every
 * permission granted (baton runs agents unattended), partial messages for live tokens, baton's hooks,
 * its own process spawn, and the transcript mirrored eagerly to the session store.
 */
export function claudeCodeOptions(
  request: AgentRunRequest,
  runtime: AgentRuntime,
  parts: {
    abort: AbortController;
    process: ClaudeProcess;
    hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>>;
    sessionEndLog: string;
  },
): Options {
  return {
    cwd: request.cwd,
    model: request.model,
    env: runtime.environment,
    abortController: parts.abort,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    settingSources: runtime.userSettings ? ['user', 'project', 'local'] : ['project', 'local'],
    systemPrompt:
      request.replaceSystemPrompt && request.systemPrompt
        ? request.systemPrompt
        : {
            type: 'preset',
            preset: 'claude_code',
            ...(request.systemPrompt ? { append: request.systemPrompt } : {}),
          },
    includePartialMessages: true,
    hooks: parts.hooks,
    mcpServers: request.mcpServers,
    mcpServersDelivery: 'initialize',
    settings: sessionHookSettings(parts.sessionEndLog),
    maxTurns: request.maxTurns,
    resume: request.resume,
    ...(request.allowedTools
      ? {
          tools: request.allowedTools.filter((tool) => !tool.startsWith('mcp__')),
          allowedTools: request.allowedTools,
        }
      : {}),
    disallowedTools: request.disallowedTools,
    pathToClaudeCodeExecutable: runtime.claudeCodePath,
    spawnClaudeCodeProcess: parts.process.spawn,
    sessionStore: runtime.sessionStore,
    // Every transcript entry reaches the store at once, so a run killed mid-turn can still be resumed.
    sessionStoreFlush: 'eager',
  };
}
