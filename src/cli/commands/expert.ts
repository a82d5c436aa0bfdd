import type { Command } from 'commander';
import { loadConfig, requireModelAccess } from '../../config/index.ts';
import type { ExpertService } from '../../services/experts/expert-service.ts';
import { improveData, improveText } from '../../tools/expert-summary.ts';
import { ExitCode } from '../exit-codes.ts';
import { withExamples } from '../help-text.ts';
import { camelKeys, printJson } from '../json-output.ts';
import { nonEmptyPath, positiveInteger } from '../parse-options.ts';
import { printable } from '../terminal.ts';
import { withServices } from '../with-services.ts';
import { withInvocation } from '../invocation.ts';

interface Common {
  cwd: string;
  json?: boolean;
  model?: string;
}

const withCommon = (command: Command) =>
  command
    .option('--cwd <dir>', 'the project the expert belongs to', nonEmptyPath, '.')
    .option('--json', 'print the result as JSON');
const withModel = (command: Command) =>
  command.option('--model <model>', 'opus, sonnet, haiku or a model id (default: BATON_MODEL)');

/** `baton expert …`: codebase experts in `.claude/commands/experts/<domain>/`, checked and versioned. */
export function registerExpert(program: Command): void {
  const expert = program
    .command('expert')
    .description('codebase experts: expertise that baton checks against the code, versioned in the ledger');

  /** Runs an expert operation with the services started, printing text or JSON. */
  const act =
    <A extends unknown[]>(
      needsModel: boolean,
      work: (
        experts: ExpertService,
        ...args: A
      ) => Promise<{ text: string; data: unknown; failed?: boolean }>,
    ) =>
    async (...args: A) => {
      const options = args.find(
        (arg): arg is Common => typeof arg === 'object' && arg !== null && 'cwd' in arg,
      )!;
      const config = loadConfig();
      if (needsModel) requireModelAccess(config.credentials);
      const result = await withServices((services) => work(services.experts(), ...args), config);
      if (options.json) printJson(camelKeys(result.data));
      else console.log(withInvocation(result.text));
      process.exitCode = result.failed ? ExitCode.runFailed : ExitCode.ok;
    };

  withModel(
    withCommon(
      expert
        .command('init')
        .description(
          'scaffold an expert (default prompts it lacks) and build its first expertise with a checked self-improve round',
        ),
    ),
  )
    .argument('<domain>', 'the expert’s name and folder: lowercase letters, digits, - or _')
    .option('--focus <text>', 'paths or a description of the area the expert covers')
    .action(
      act(true, async (experts, domain: string, options: Common & { focus?: string }) => {
        const result = await experts.init({
          cwd: options.cwd,
          domain,
          focus: options.focus,
          model: options.model,
        });
        const scaffolded = result.scaffolded?.length ? `Wrote ${result.scaffolded.join(', ')}.\n` : '';
        return {
          text: scaffolded + improveText(domain, result),
          data: improveData(result),
          failed: result.ended === 'failed' || result.ended === 'rejected',
        };
      }),
    );

  withCommon(
    expert.command('ls').description('the experts of the project: lines, last improved, commit, staleness'),
  ).action(
    act(false, async (experts, options: Common) => {
      const listings = await experts.list(options.cwd);
      if (listings.length === 0) {
        return { text: 'No experts yet: create one with `baton expert init <domain>`.', data: [] };
      }
      const rows = listings.map((item) => [
        item.domain,
        item.lines === undefined ? '—' : `${item.lines}/${item.maxLines}`,
        item.version === undefined ? '—' : `v${item.version}`,
        item.lastImproved?.toISOString().slice(0, 16).replace('T', ' ') ?? 'never',
        item.commit?.slice(0, 8) ?? '—',
        item.version === undefined
          ? 'unchecked'
          : `${item.staleClaims} stale, ${item.filesChanged} files changed${item.modified ? ', file edited since' : ''}`,
      ]);
      return {
        text: table(['domain', 'lines', 'version', 'improved', 'commit', 'staleness'], rows),
        data: listings,
      };
    }),
  );

  withModel(
    withCommon(expert.command('question').description('ask the expert (read-only: it cannot write files)')),
  )
    .argument('<domain>', 'the expert')
    .argument('<question>', 'what to ask')
    .action(
      act(true, async (experts, domain: string, question: string, options: Common) => {
        const result = await experts.question({ cwd: options.cwd, domain, question, model: options.model });
        const failed = result.run.status !== 'succeeded';
        return {
          text: failed
            ? `The expert's run ${result.run.status}: ${result.run.error_message ?? ''}`
            : printable(result.answer),
          data: {
            run_id: result.run.id,
            status: result.run.status,
            answer: result.answer,
            cost_usd: result.run.cost_usd,
          },
          failed,
        };
      }),
    );

  withModel(
    withCommon(
      expert
        .command('improve')
        .description('self-improve: check the expertise against the code and update it, checked by baton'),
    ),
  )
    .argument('<domain>', 'the expert')
    .option('--until-stable', 'repeat rounds until one changes nothing (or --max-rounds)')
    .option('--max-rounds <n>', 'the most rounds with --until-stable (default 5)', positiveInteger)
    .option('--since <rev>', 'start from the git diff since this revision')
    .option('--focus <text>', 'an area to look at first')
    .action(
      act(
        true,
        async (
          experts,
          domain: string,
          options: Common & { untilStable?: boolean; maxRounds?: number; since?: string; focus?: string },
        ) => {
          const result = await experts.improve({
            cwd: options.cwd,
            domain,
            untilStable: options.untilStable,
            maxRounds: options.maxRounds,
            since: options.since,
            focus: options.focus,
            model: options.model,
          });
          return {
            text: improveText(domain, result),
            data: improveData(result),
            failed: result.ended === 'failed' || result.ended === 'rejected',
          };
        },
      ),
    );

  withModel(
    withCommon(
      expert
        .command('plan')
        .description('a spec for a task, written with the expertise and checked like an ADW plan'),
    ),
  )
    .argument('<domain>', 'the expert')
    .argument('<task>', 'what to plan')
    .action(
      act(true, async (experts, domain: string, task: string, options: Common) => {
        const result = await experts.plan({ cwd: options.cwd, domain, task, model: options.model });
        return {
          text: `Spec: ${result.specPath}${result.title ? ` (${result.title})` : ''}\nBuild it with \`baton adw run plan_build "${task}"\`, or read it first.`,
          data: { spec_path: result.specPath, title: result.title ?? null, run_id: result.run.id },
        };
      }),
    );

  withCommon(
    expert.command('history').description("the expert's stored versions and rounds, with their provenance"),
  )
    .argument('<domain>', 'the expert')
    .action(
      act(false, async (experts, domain: string, options: Common) => {
        const { versions, rounds } = await experts.history(options.cwd, domain);
        const lines = versions.map(
          (version) =>
            `v${version.version}  ${version.created_at.toISOString().slice(0, 19).replace('T', ' ')}  ${version.operation}  ` +
            `${version.line_count}/${version.max_lines} lines  ${version.stale_claim_count} stale  commit ${version.git_commit.slice(0, 8)}` +
            `  run ${version.run_id?.slice(0, 8) ?? '—'}${version.adw_id ? `  adw ${version.adw_id.slice(0, 8)}` : ''}`,
        );
        const roundLines = rounds.map(
          (round) =>
            `  ${round.created_at.toISOString().slice(0, 19).replace('T', ' ')}  ${round.operation} round ${round.round}: ${round.outcome}` +
            `${round.version ? ` → v${round.version}` : ''}${round.detail ? ` (${printable(round.detail)})` : ''}`,
        );
        return {
          text: [...(lines.length ? lines : ['No versions stored yet.']), '', 'Rounds:', ...roundLines].join(
            '\n',
          ),
          data: {
            versions: versions.map(({ content: _content, diff: _diff, ...rest }) => rest),
            rounds,
          },
        };
      }),
    );

  withCommon(
    expert.command('diff').description("a version's diff (default: the latest), or between two versions"),
  )
    .argument('<domain>', 'the expert')
    .option('--version <n>', 'the diff of this version against the one before', positiveInteger)
    .option('--from <n>', 'from this version …', positiveInteger)
    .option('--to <n>', '… to this one (default: the latest)', positiveInteger)
    .action(
      act(
        false,
        async (
          experts,
          domain: string,
          options: Common & { version?: number; from?: number; to?: number },
        ) => {
          const diff = await experts.diff(options.cwd, domain, options);
          return { text: diff || '(no difference)', data: { diff } };
        },
      ),
    );

  withExamples(expert, [
    'baton expert init api --focus "src/server, src/protocol" --cwd ~/code/app',
    'baton expert question api "Where are request bodies validated?"',
    'baton expert improve api --until-stable',
  ]);
  const examples: Record<string, string[]> = {
    init: ['baton expert init api --focus "src/server"', 'baton expert init db --cwd ~/code/app --json'],
    ls: ['baton expert ls', 'baton expert ls --cwd ~/code/app --json'],
    question: [
      'baton expert question api "Which routes change state?"',
      'baton expert question db "What does migrate lock?" --model haiku',
    ],
    improve: [
      'baton expert improve api',
      'baton expert improve api --until-stable --max-rounds 3',
      'baton expert improve api --since HEAD~5',
    ],
    plan: ['baton expert plan api "Add rate limiting to the login route"'],
    history: ['baton expert history api', 'baton expert history api --json'],
    diff: [
      'baton expert diff api',
      'baton expert diff api --version 2',
      'baton expert diff api --from 1 --to 3',
    ],
  };
  for (const command of expert.commands) withExamples(command, examples[command.name()] ?? []);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
