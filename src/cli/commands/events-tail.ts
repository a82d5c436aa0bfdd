import type { Command } from 'commander';
import type { LedgerEvent } from '../../core/events.ts';
import { seqBeforeLast } from '../../db/events.ts';
import { resolveIdPrefix, type IdKind } from '../../db/id-prefix.ts';
import type { Queryable } from '../../db/pool.ts';
import { idPrefix, nonNegativeInteger, positiveInteger } from '../parse-options.ts';
import { paint, printable } from '../terminal.ts';
import { untilStopped } from '../signals.ts';
import { withServices } from '../with-services.ts';

interface TailOptions {
  agent?: string;
  run?: string;
  adw?: string;
  fromSeq?: number;
  last: number;
  json?: boolean;
}

export function registerEventsTail(program: Command): void {
  program
    .command('events')
    .description('the event log')
    .command('tail')
    .description('print recorded events and follow new ones as they are recorded (Ctrl-C stops)')
    .option('--agent <id>', 'only events of this agent (id or unique prefix)', idPrefix)
    .option('--run <id>', 'only events of this run (id or unique prefix)', idPrefix)
    .option('--adw <id>', 'only events of this ADW (id or unique prefix)', idPrefix)
    .option('--from-seq <n>', 'start after this sequence number (0: from the beginning)', nonNegativeInteger)
    .option('--last <n>', 'without --from-seq, start with the last N matching events', positiveInteger, 10)
    .option('--json', 'one JSON object per line')
    .action((options: TailOptions) =>
      withServices(async (services) => {
        // An unknown id is refused here: a filter that matches nothing would wait forever in silence.
        const pool = services.db.pool;
        const filter = {
          agentId: await resolveOption(pool, 'agent', options.agent, '--agent'),
          runId: await resolveOption(pool, 'run', options.run, '--run'),
          adwId: await resolveOption(pool, 'adw', options.adw, '--adw'),
        };
        const fromSeq = options.fromSeq ?? (await seqBeforeLast(services.db.pool, filter, options.last));
        const subscription = await services.bus().subscribe({ fromSeq, filter }, (event) => {
          console.log(options.json ? JSON.stringify(event) : tailLine(event));
        });
        await untilStopped();
        subscription.close();
      }),
    );
}

function resolveOption(
  db: Queryable,
  kind: IdKind,
  prefix: string | undefined,
  flag: string,
): Promise<string | undefined> {
  return prefix === undefined ? Promise.resolve(undefined) : resolveIdPrefix(db, kind, prefix, flag);
}

function tailLine(event: LedgerEvent): string {
  const seq = paint('dim', String(event.seq).padStart(7));
  const time = paint('dim', event.occurredAt.toISOString().slice(11, 23));
  const who = paint('cyan', (event.adwStep ?? event.agentId?.slice(0, 8) ?? 'system').padEnd(8));
  return `${seq} ${time} ${who} ${event.type.padEnd(18)} ${printable(event.summary ?? '')}`;
}
