import type { Command } from 'commander';
import type { LedgerEvent } from '../../core/events.ts';
import { seqBeforeLast } from '../../db/events.ts';
import { resolveIdPrefix, type IdKind } from '../../db/id-prefix.ts';
import type { Queryable } from '../../db/pool.ts';
import { idPrefix, nonNegativeInteger, positiveInteger } from '../parse-options.ts';
import { paint, printable } from '../terminal.ts';
import { printEvents, type FollowTarget } from '../follow-events.ts';
import { withExamples } from '../help-text.ts';
import { withServices } from '../with-services.ts';

interface TailOptions {
  agent?: string;
  run?: string;
  adw?: string;
  fromSeq?: number;
  last: number;
  follow: boolean;
  json?: boolean;
}

export function registerEventsTail(program: Command): void {
  const events = program.command('events').description('the event log');
  const tail = events
    .command('tail')
    .description(
      'print recorded events and follow new ones: with --run or --adw until that run or ADW ends (exit 0 when ' +
        'it succeeded, 1 when not), otherwise until Ctrl-C (exit 130)',
    )
    .option('--agent <id>', 'only events of this agent (id or unique prefix)', idPrefix)
    .option('--run <id>', 'only events of this run (id or unique prefix); ends when the run ends', idPrefix)
    .option('--adw <id>', 'only events of this ADW (id or unique prefix); ends when the ADW ends', idPrefix)
    .option('--from-seq <n>', 'start after this sequence number (0: from the beginning)', nonNegativeInteger)
    .option('--last <n>', 'without --from-seq, start with the last N matching events', positiveInteger, 10)
    .option('--no-follow', 'print the matching events recorded so far and exit 0 (for scripts)')
    .option('--json', 'one JSON object per line')
    .action(async (options: TailOptions) => {
      process.exitCode = await withServices(async (services) => {
        // An unknown id is refused here: a filter that matches nothing would wait forever in silence.
        const pool = services.db.pool;
        const filter = {
          agentId: await resolveOption(pool, 'agent', options.agent, '--agent'),
          runId: await resolveOption(pool, 'run', options.run, '--run'),
          adwId: await resolveOption(pool, 'adw', options.adw, '--adw'),
        };
        // A run or an ADW ends; an agent (a command agent takes command after command) and the whole log go on.
        const target: FollowTarget | undefined = filter.runId
          ? { kind: 'run', id: filter.runId }
          : filter.adwId
            ? { kind: 'adw', id: filter.adwId }
            : undefined;
        const fromSeq = options.fromSeq ?? (await seqBeforeLast(pool, filter, options.last));
        return printEvents(services, { filter, fromSeq, follow: options.follow, target }, (event) =>
          console.log(options.json ? JSON.stringify(event) : tailLine(event)),
        );
      });
    });
  const examples = [
    'baton events tail',
    'baton events tail --adw 0b5e8f3c',
    'baton events tail --run 7d1c2a9e --from-seq 0 --json',
    'baton events tail --agent 3f9a1b2c --last 50 --no-follow',
  ];
  withExamples(events, examples);
  withExamples(tail, examples);
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
