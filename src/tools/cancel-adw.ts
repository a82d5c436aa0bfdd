import { z } from 'zod';
import { adwData, adwLine, withAdwId } from './adw-summary.ts';
import { defineTool } from './tool.ts';

export const cancelAdw = defineTool({
  name: 'cancel_adw',
  description: 'Cancel an ADW: its running agent stops within seconds; resume_adw continues it later.',
  input: z.object({ id: z.uuid() }),
  async run(input, context) {
    const row = await withAdwId((await context.services.adws()).cancel(input.id));
    return { text: `Cancelled ${adwLine(row)}.`, structured: { adw: adwData(row) } };
  },
});
