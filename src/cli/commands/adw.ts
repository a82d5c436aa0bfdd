import { plural } from '../../core/plural.ts';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, requireModelAccess } from '../../config/index.ts';
import { listAdws, listSteps } from '../../db/adws.ts';
import { resolveIdPrefix, shortId } from '../../db/id-prefix.ts';
import type { Services } from '../../services/services.ts';
import { withDatabase } from '../with-database.ts';
import { withServices } from '../with-services.ts';
import { adwJson, printAdwSummary } from '../adw-output.ts';
import { ExitCode } from '../exit-codes.ts';
import { nonEmptyPath, positiveInteger, usdAmount, idPrefix } from '../parse-options.ts';
import { paint, printable, usd } from '../terminal.ts';
import { onInterrupt } from '../signals.ts';
import { printError } from '../error-output.ts';
import { printEvents } from '../follow-events.ts';
import { withExamples } from '../help-text.ts';
import { withInvocation } from '../invocation.ts';

interface RunOptions {
  cwd: string;
  model?: string;
  reviewModel?: string;
  maxCost?: number;
  maxTurns?: number;
  stepMaxCost?: number;
  stepMaxTurns?: number;
  fixRounds?: number;
  inPlace?: boolean;
  expert?: string;
  detach?: boolean;
  json?: boolean;
}

export function registerAdw(program: Command): void {
  const adw = program
    .command('adw')
    .description('AI Developer Workflows: plan → build → review → fix, durable and recorded');

  adw
    .command('run')
    .description('start a workflow on a prompt and follow it to the end (exit 0 only when it succeeds)')
    .argument('<workflow>', 'a workflow name (see `baton adw types`)')
    .argument('<prompt>', 'what to build')
    .option('--cwd <dir>', 'the repository or directory to work on', nonEmptyPath, '.')
    .option('--model <model>', 'model of the steps: opus, sonnet, haiku or an id (default: BATON_MODEL)')
    .option('--review-model <model>', 'model of the review step (default: --model)')
    .option('--max-cost <usd>', 'cost budget of the whole ADW; reaching it pauses the ADW', usdAmount)
    .option('--max-turns <n>', 'turn budget of the whole ADW; reaching it pauses the ADW', positiveInteger)
    .option('--step-max-cost <usd>', 'cost budget of each step', usdAmount)
    .option('--step-max-turns <n>', 'turn budget of each step', positiveInteger)
    .option(
      '--fix-rounds <n>',
      'let review → fix repeat up to n times until the review passes',
      positiveInteger,
    )
    .option('--in-place', 'work in the directory itself instead of a new git worktree')
    .option('--expert <domain>', 'the agent expert of a workflow that takes one (expert_plan_build_improve)')
    .option('--detach', 'queue the ADW and return; a running `baton up` or `baton worker` does the work')
    .option('--json', 'print one JSON object at the end instead of the live view')
    .action(async (workflow: string, prompt: string, options: RunOptions) => {
      process.exitCode = await run(workflow, prompt, options);
    });

  adw
    .command('ls')
    .description('list recent ADWs')
    .option('--limit <n>', 'how many', positiveInteger, 20)
    .option('--json', 'print JSON')
    .action((options: { limit: number; json?: boolean }) =>
      // A read: straight from the ledger, without starting the queue and the agent runtime.
      withDatabase(async (db) => {
        const rows = await listAdws(db.pool, { limit: options.limit });
        if (options.json) {
          const steps = await Promise.all(rows.map((row) => listSteps(db.pool, row.id)));
          return console.log(
            JSON.stringify(
              rows.map((row, index) => adwJson(row, steps[index]!)),
              null,
              2,
            ),
          );
        }
        if (rows.length === 0)
          return console.log(
            withInvocation('No ADWs yet: start one with `baton adw run <workflow> "<prompt>"`.'),
          );
        console.log(
          paint(
            'dim',
            `${'ID'.padEnd(8)}  ${'STATUS'.padEnd(9)} ${'WORKFLOW'.padEnd(22)} STEPS ${'COST'.padStart(8)}  CREATED           PROMPT`,
          ),
        );
        for (const row of rows) {
          console.log(
            `${shortId(row.id)}  ${row.status.padEnd(9)} ${row.workflow.padEnd(22)} ${`${row.completed_steps}/${row.total_steps}`.padEnd(5)} ${usd(row.cost_usd).padStart(8)}  ${row.created_at.toISOString().slice(0, 16)}  ${printable(row.inputs.prompt).slice(0, 50)}`,
          );
        }
      }),
    );

  adw
    .command('show')
    .description('show one ADW: steps, outputs, cost, branch')
    .argument('<id>', 'ADW id (or a unique prefix of it)', idPrefix)
    .option('--json', 'print one JSON object')
    .action((prefix: string, options: { json?: boolean }) =>
      withServices(async (services) => {
        const id = await resolveIdPrefix(services.db.pool, 'adw', prefix, '<id>');
        const adws = await services.adws();
        const row = await adws.get(id);
        const steps = await adws.steps(id);
        if (options.json) return console.log(JSON.stringify(adwJson(row, steps), null, 2));
        console.log(`${row.name} · ${printable(row.inputs.prompt)}`);
        printAdwSummary(row, steps);
      }),
    );

  adw
    .command('events')
    .description(
      "print an ADW's events in order, grouped by step; --follow goes on until the ADW ends (exit 0 when it " +
        'succeeded, 1 when it failed, was cancelled or paused; 130 on Ctrl-C)',
    )
    .argument('<id>', 'ADW id (or a unique prefix of it)', idPrefix)
    .option('--follow', 'print new events as they are recorded, until the ADW ends')
    .option('--no-follow', 'print the events recorded so far and exit 0 (the default)')
    .option('--json', 'one JSON object per line')
    .action(async (prefix: string, options: { follow?: boolean; json?: boolean }) => {
      process.exitCode = await withServices(async (services) => {
        const id = await resolveIdPrefix(services.db.pool, 'adw', prefix, '<id>');
        const follow = { filter: { adwId: id }, fromSeq: 0, follow: options.follow ?? false };
        return printEvents(services, { ...follow, target: { kind: 'adw', id } }, (event) => {
          if (options.json) return console.log(JSON.stringify(event));
          const lane = paint('cyan', (event.adwStep ?? 'workflow').padEnd(9));
          console.log(
            `${paint('dim', String(event.seq).padStart(7))} ${event.occurredAt.toISOString().slice(11, 19)} ${lane} ${event.type.padEnd(16)} ${printable(event.summary ?? '')}`,
          );
        });
      });
    });

  adw
    .command('cancel')
    .description('cancel an ADW: its running agent stops within seconds')
    .argument('<id>', 'ADW id (or a unique prefix of it)', idPrefix)
    .action((prefix: string) =>
      withServices(async (services) => {
        const id = await resolveIdPrefix(services.db.pool, 'adw', prefix, '<id>');
        const row = await (await services.adws()).cancel(id);
        console.log(
          withInvocation(
            `ADW ${row.id} cancelled${row.current_step ? ` during ${row.current_step}` : ''}; resume it with \`baton adw resume ${row.id}\`.`,
          ),
        );
      }),
    );

  adw
    .command('resume')
    .description('continue a paused, failed or cancelled ADW from its first unfinished step')
    .argument('<id>', 'ADW id (or a unique prefix of it)', idPrefix)
    .option('--add-cost <usd>', 'raise the cost budget by this much', usdAmount)
    .option('--add-turns <n>', 'raise the turn budget by this much', positiveInteger)
    .option('--detach', 'queue it and return; a running worker continues it')
    .option('--json', 'print one JSON object at the end')
    .action(
      async (
        prefix: string,
        options: { addCost?: number; addTurns?: number; detach?: boolean; json?: boolean },
      ) => {
        process.exitCode = await withServices(async (services) => {
          const id = await resolveIdPrefix(services.db.pool, 'adw', prefix, '<id>');
          await (
            await services.adws()
          ).resume(id, { addCostUsd: options.addCost, addTurns: options.addTurns });
          if (!options.json) console.log(`ADW ${id} resumed.`);
          return options.detach ? ExitCode.ok : await workUntilSettled(services, id, options);
        });
      },
    );

  adw
    .command('types')
    .description('list every workflow (built-in and .baton/workflows/*.yaml) with its steps')
    .option('--cwd <dir>', 'the project whose workflow files to read', nonEmptyPath, '.')
    .option('--json', 'print JSON')
    .action(async (options: { cwd: string; json?: boolean }) => {
      const { loadWorkflows } = await import('../../services/adws/workflow-registry.ts');
      const catalog = await loadWorkflows(resolve(options.cwd));
      if (options.json) {
        console.log(JSON.stringify(catalog, null, 2));
      } else {
        for (const workflow of catalog.workflows) {
          const steps = workflow.steps.map((step) => (step.runIf ? `${step.name}?` : step.name)).join(' → ');
          const loop = workflow.loop
            ? ` (${workflow.loop.first}…${workflow.loop.last} repeats up to ${workflow.loop.maxIterations}×)`
            : '';
          console.log(`${paint('bold', workflow.name.padEnd(24))} ${workflow.description}`);
          console.log(`  ${steps}${loop}  ${paint('dim', workflow.source)}`);
        }
        for (const error of catalog.errors) printError(error);
      }
      process.exitCode = catalog.errors.length ? ExitCode.usage : ExitCode.ok;
    });

  withExamples(adw, [
    'baton adw run plan_build_review_fix "Add rate limiting to the login route" --cwd ~/code/app',
    'baton adw ls',
    'baton adw show 0b5e8f3c',
  ]);
  const examples: Record<string, string[]> = {
    run: [
      'baton adw run plan_build_review_fix "Add rate limiting to the login route" --cwd ~/code/app --max-cost 5',
      'baton adw run plan_build "Add a /health route" --model opus --review-model sonnet --fix-rounds 2',
      'baton adw run plan_build "Add a /health route" --detach --json',
    ],
    ls: ['baton adw ls', 'baton adw ls --limit 5 --json'],
    show: ['baton adw show 0b5e8f3c', 'baton adw show 0b5e8f3c --json'],
    events: [
      'baton adw events 0b5e8f3c',
      'baton adw events 0b5e8f3c --follow',
      'baton adw events 0b5e8f3c --no-follow --json',
    ],
    cancel: ['baton adw cancel 0b5e8f3c'],
    resume: [
      'baton adw resume 0b5e8f3c',
      'baton adw resume 0b5e8f3c --add-cost 2',
      'baton adw resume 0b5e8f3c --add-turns 20 --detach',
    ],
    types: ['baton adw types', 'baton adw types --cwd ~/code/app --json'],
  };
  for (const command of adw.commands) withExamples(command, examples[command.name()] ?? []);
}

async function run(workflow: string, prompt: string, options: RunOptions): Promise<number> {
  const config = loadConfig();
  requireModelAccess(config.credentials);
  return withServices(async (services) => {
    const adws = await services.adws();
    const row = await adws.start({
      workflow,
      prompt,
      cwd: options.cwd,
      model: options.model,
      reviewModel: options.reviewModel,
      maxCostUsd: options.maxCost,
      maxTurns: options.maxTurns,
      stepMaxCostUsd: options.stepMaxCost,
      stepMaxTurns: options.stepMaxTurns,
      fixRounds: options.fixRounds,
      inPlace: options.inPlace,
      expert: options.expert,
    });
    if (!options.json) {
      console.log(`ADW ${row.id} · ${row.workflow} · ${plural(row.total_steps, 'step')}`);
      console.log(
        paint(
          'dim',
          row.branch
            ? `  worktree ${row.worktree_path} on branch ${row.branch}`
            : `  working in place in ${row.inputs.cwd}`,
        ),
      );
    }
    if (options.detach) {
      if (options.json) console.log(JSON.stringify(adwJson(row, await adws.steps(row.id)), null, 2));
      else
        console.log(
          withInvocation(
            `Queued. Follow it with \`baton adw events ${row.id} --follow\`; a running \`baton up\` or \`baton worker\` does the work.`,
          ),
        );
      return ExitCode.ok;
    }
    return workUntilSettled(services, row.id, options);
  }, config);
}

/**
 * Works on the ADW in this process (a worker of its own; other workers may take steps too) and follows
 * it until it settles. Ctrl-C cancels the ADW (it can be resumed).
 */
async function workUntilSettled(
  services: Services,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const [{ startAdwWorker }, { followAdw }] = await Promise.all([
    import('../../services/adws/adw-worker.ts'),
    import('../adw-live-view.ts'),
  ]);
  const worker = await startAdwWorker(services, { concurrency: services.config.workerConcurrency });
  const removeInterrupt = onInterrupt(() => {
    if (!options.json)
      console.log(
        paint('yellow', withInvocation('cancelling the ADW (resume it later with `baton adw resume`)…')),
      );
    void services
      .adws()
      .then((adws) => adws.cancel(id))
      .catch(() => {});
  });
  try {
    const { row, steps } = await followAdw(services, id, { live: !options.json });
    if (options.json) console.log(JSON.stringify(adwJson(row, steps), null, 2));
    else printAdwSummary(row, steps);
    return row.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
  } finally {
    removeInterrupt();
    await worker.stop();
  }
}
