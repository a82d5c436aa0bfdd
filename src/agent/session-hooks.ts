import { readFile, rm } from 'node:fs/promises';
import type { HookInput, SDKMessage, Settings } from '@anthropic-ai/claude-agent-sdk';

/**
 * Claude Code never calls SDK hook callbacks for SessionStart and SessionEnd (claude-agent-sdk-typescript
 * issues 83 and 465); it only runs command hooks declared in settings. So baton declares two tiny
 * commands that hand back the hook's input, exactly as Claude Code wrote it:
 * - SessionStart copies its input to stderr, which arrives in the `hook_response` system message;
 * - SessionEnd runs while the process exits, after its output stream is closed, so it appends its input
 *   to a file of the run's own, read once the process has ended.
 * Neither prints to stdout, which Claude Code would add to the model's context.
 */
export function sessionHookSettings(sessionEndLog: string): Settings {
  return {
    hooks: {
      SessionStart: [{ hooks: [{ type: 'command', command: 'cat >&2' }] }],
      SessionEnd: [
        { hooks: [{ type: 'command', command: `cat >> '${sessionEndLog}'; echo >> '${sessionEndLog}'` }] },
      ],
    },
  };
}

/** The SessionStart hook input carried by a `hook_response` message, if this is one. */
export function sessionStartFrom(message: SDKMessage): HookInput | undefined {
  if (
    message.type !== 'system' ||
    message.subtype !== 'hook_response' ||
    message.hook_event !== 'SessionStart'
  ) {
    return undefined;
  }
  return parseHookInput(message.stderr);
}

/** The SessionEnd hook inputs written during the run; the file is removed. */
export async function takeSessionEnds(sessionEndLog: string): Promise<HookInput[]> {
  const text = await readFile(sessionEndLog, 'utf8').catch(() => '');
  await rm(sessionEndLog, { force: true });
  return text
    .split('\n')
    .map(parseHookInput)
    .filter((input): input is HookInput => input !== undefined);
}

function parseHookInput(text: string): HookInput | undefined {
  try {
    const value = JSON.parse(text.trim()) as Partial<HookInput>;
    return typeof value.hook_event_name === 'string' ? (value as HookInput) : undefined;
  } catch {
    return undefined;
  }
}
