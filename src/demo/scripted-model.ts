import { join } from 'node:path';
import type { Turn } from '../testing/fake-model-server/index.ts';
import { text, thinking, toolUse } from '../testing/fake-model-server/turns.ts';

/** Every line the scripted model says carries this mark, so nobody mistakes the demo for a real model. */
export const scriptedMark = '[scripted demo]';

/**
 * The prerecorded turns of the demo agent: read the code, add a farewell function and its test, run the
 * tests, report. Each turn after the first answers the previous tool's result.
 */
export function demoAgentScript(dir: string): Turn[] {
  const usage = { input_tokens: 1_800, output_tokens: 120, cache_read_input_tokens: 12_000 };
  return [
    {
      content: [
        thinking(`${scriptedMark} Start by reading the module to change.`),
        toolUse('Read', { file_path: join(dir, 'greet.js') }),
      ],
      usage,
    },
    {
      match: { lastToolResult: { toolName: 'Read' } },
      content: [
        text(`${scriptedMark} Adding farewell() next to greet().`),
        toolUse('Edit', {
          file_path: join(dir, 'greet.js'),
          old_string: 'module.exports = { greet };',
          new_string:
            "function farewell(name) {\n  return 'Goodbye, ' + name + '!';\n}\n\nmodule.exports = { greet, farewell };",
        }),
      ],
      usage,
    },
    {
      match: { lastToolResult: { toolName: 'Edit' } },
      content: [
        toolUse('Write', {
          file_path: join(dir, 'farewell.test.js'),
          content:
            "const assert = require('node:assert');\nconst { farewell } = require('./greet.js');\n\nassert.strictEqual(farewell('Ada'), 'Goodbye, Ada!');\nconsole.log('farewell test passed');\n",
        }),
      ],
      usage,
    },
    {
      match: { lastToolResult: { toolName: 'Write' } },
      content: [toolUse('Bash', { command: 'node test.js && node farewell.test.js' })],
      usage,
    },
    {
      match: { lastToolResult: { toolName: 'Bash' } },
      content: [text(`${scriptedMark} Added farewell(name) to greet.js with a test; both test files pass.`)],
      usage,
    },
  ];
}
