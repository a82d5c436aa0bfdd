import { join } from 'node:path';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';

/**
 * The four turns of one benchmark agent (Read, Bash, Glob, reply) in `dir`, told apart from the other
 * agents' by `label`, which its prompt must contain.
 */
export function agentTurns(label: string, dir: string): Turn[] {
  const mine = { anyText: { contains: label } };
  return [
    { ...turn(toolUse('Read', { file_path: join(dir, 'notes.txt') })), match: mine },
    {
      ...turn(toolUse('Bash', { command: 'echo ok' })),
      match: { ...mine, lastToolResult: { toolName: 'Read' } },
    },
    {
      ...turn(toolUse('Glob', { pattern: '*.txt' })),
      match: { ...mine, lastToolResult: { toolName: 'Bash' } },
    },
    { ...reply('done'), match: { ...mine, lastToolResult: { toolName: 'Glob' } } },
  ];
}
