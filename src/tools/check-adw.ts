import { z } from 'zod';
import { tailEvents } from '../db/event-tail.ts';
import { adwData, adwLine, withAdwId } from './adw-summary.ts';
import { defineTool } from './tool.ts';

export const checkAdw = defineTool({
  name: 'check_adw',
  description: "An ADW's status, steps, cost and its last `tail` events (workflow and agent events alike).",
  input: z.object({
    id: z.uuid(),
    tail: z.number().int().min(1).max(500).default(10),
  }),
  async run(input, context) {
    const adws = await context.services.adws();
    const row = await withAdwId(adws.get(input.id));
    const steps = await adws.steps(input.id);
    const events = await tailEvents(context.services.db.pool, { adwId: input.id }, input.tail);
    const text = [
      adwLine(row),
      ...steps.map((step) => `  ${step.name}: ${step.status}`),
      ...events.map((event) => `• [${event.adwStep ?? 'workflow'}] ${event.type}: ${event.summary ?? ''}`),
    ].join('\n');
    return {
      text,
      structured: {
        adw: adwData(row, steps),
        events: events.map((event) => ({
          seq: event.seq,
          step: event.adwStep ?? null,
          type: event.type,
          summary: event.summary ?? null,
        })),
      },
    };
  },
});
