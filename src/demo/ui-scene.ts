import { join } from 'node:path';
import type { Turn } from '../testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../testing/fake-model-server/turns.ts';
import { scriptedMark } from './adw-script.ts';

/**
 * The scene `baton demo --ui` plays while a newcomer watches the browser: a chat message that has the
 * orchestrator create an agent and command it (the agent writes a file: a diff to look at), then an ADW
 * started from the chat whose review FAILs and whose fix step fixes it (src/demo/adw-script.ts).
 */
export const scene = {
  /** What the person "types" to the orchestrator first. */
  chat: 'Create an agent named scribe and have it write NOTES.md about greet.js for newcomers.',
  agent: 'scribe',
  /** What the orchestrator commands it. */
  command: 'Write NOTES.md: one short paragraph on what greet.js does.',
  /** Then, in the chat: started at once, with no model turn (the chat's `start adw:` shortcut). */
  adw: 'start adw: plan_build_review_fix: Add a farewell(name) function to greet.js, with a test',
  /** What every page shows across its top. */
  banner:
    'Scripted demo: a fake model plays prerecorded turns. The agents are real Claude Code; their edits, the queue and the ledger are real.',
};

export const notes = `# Notes on greet.js

\`greet(name)\` returns \`Hello, <name>!\`; \`test.js\` checks it with node:assert. ${scriptedMark}
`;

/** The orchestrator's turns and scribe's, keyed on the scene's words (each used once). */
export function uiSceneScript(repository: string): Turn[] {
  return [
    // The orchestrator: create, command, wait, report. Listed first: its requests after a tool call
    // carry that tool's result (which repeats the command) as their last user message.
    {
      ...turn(toolUse('mcp__baton__create_agent', { name: scene.agent })),
      name: 'orchestrator creates scribe',
      match: { lastUserText: { contains: scene.chat } },
    },
    {
      ...turn(toolUse('mcp__baton__command_agent', { name: scene.agent, command: scene.command })),
      name: 'orchestrator commands scribe',
      match: { lastToolResult: { toolName: 'mcp__baton__create_agent' } },
    },
    {
      ...turn(toolUse('mcp__baton__wait_for_agent', { name: scene.agent, timeout_s: 300 })),
      name: 'orchestrator waits for scribe',
      match: { lastToolResult: { toolName: 'mcp__baton__command_agent' } },
    },
    {
      ...reply(
        `${scriptedMark} scribe wrote **NOTES.md** (its diff is in the event stream). Next, an ADW: watch its swimlanes (Ctrl+J).`,
      ),
      name: 'orchestrator reports',
      match: { lastToolResult: { toolName: 'mcp__baton__wait_for_agent' } },
    },
    // scribe: write the file, then say so.
    {
      ...turn(toolUse('Write', { file_path: join(repository, 'NOTES.md'), content: notes })),
      name: 'scribe writes NOTES.md',
      match: { lastUserText: { contains: scene.command } },
    },
    {
      ...reply(`${scriptedMark} NOTES.md is written.`),
      name: 'scribe reports',
      match: { lastToolResult: { toolName: 'Write', contains: 'NOTES.md' } },
    },
  ];
}
