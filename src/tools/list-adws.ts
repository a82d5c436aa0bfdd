import { z } from 'zod';
import { adwData, adwLine } from './adw-summary.ts';
import { defineTool } from './tool.ts';

export const listAdws = defineTool({
  name: 'list_adws',
  description: 'The most recent ADWs, newest first, with status, current step and cost.',
  input: z.object({ limit: z.number().int().min(1).max(200).default(20) }),
  async run(input, context) {
    const rows = await (await context.services.adws()).list({ limit: input.limit });
    return {
      text: rows.length
        ? rows.map((row) => `• ${adwLine(row)}`).join('\n')
        : 'No ADWs yet: start one with start_adw.',
      structured: { adws: rows.map((row) => adwData(row)) },
    };
  },
});
