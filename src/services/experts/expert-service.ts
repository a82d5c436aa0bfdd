import { plural } from '../../core/plural.ts';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveModel } from '../../agent/models.ts';
import { requirePrice, type PriceTable } from '../../agent/pricing.ts';
import { assertWorkingDirectory } from '../../agent/run-agent.ts';
import type { Config } from '../../config/index.ts';
import { NotFoundError, UserError } from '../../core/errors.ts';
import { newId, shortId } from '../../core/ids.ts';
import type { ExpertOperation, PromptAuthor } from '../../core/statuses.ts';
import {
  ensureExpert,
  findExpert,
  latestExpertiseVersion,
  listExpertiseVersions,
  listExpertRounds,
  insertExpertRound,
  type ExpertiseVersionRow,
  type ExpertRoundRow,
  type ExpertRow,
} from '../../db/experts.ts';
import type { Pool } from '../../db/pool.ts';
import type { RunRow } from '../../db/runs.ts';
import {
  checkExpertiseText,
  discoverExpertDomains,
  filesChangedSince,
  headCommit,
  lineCount,
  loadExpertFiles,
  planPrompt,
  questionPrompt,
  requirePrompt,
  resolveRevision,
  scaffoldExpert,
  selfImprovePrompt,
  unifiedDiff,
  type ExpertFiles,
} from '../../experts/index.ts';
import { parseSpec } from '../../workflow/artifacts.ts';
import { slugify } from '../../workflow/builtin-steps.ts';
import type { AgentRunner, RecordedRun } from '../runs/agent-runner.ts';
import { runImproveRounds, type ImproveRoundsResult } from './improve-rounds.ts';

export interface ExpertServiceDeps {
  pool: Pool;
  runner: AgentRunner;
  config: Readonly<Config>;
  prices: PriceTable;
}

/** Tools an expert's question may use: none can write, and Claude Code offers the model nothing else. */
export const questionTools = ['Read', 'Glob', 'Grep'];
/** Self-improve edits only its expertise, but reads and searches everything (Bash for `git diff`, `wc -l`). */
export const improveTools = ['Read', 'Glob', 'Grep', 'Bash', 'Edit', 'Write', 'TodoWrite'];
/** A plan reads the code and writes its spec. */
export const planTools = ['Read', 'Glob', 'Grep', 'Write', 'TodoWrite'];

const defaultMaxRounds = 5;
const maxRoundsLimit = 20;

interface Common {
  /** The project directory (the expert's folder is under its `.claude/commands/experts/`). */
  cwd: string;
  domain: string;
  model?: string;
  orchestratorId?: string;
}

export interface ImproveInput extends Common {
  untilStable?: boolean;
  maxRounds?: number;
  /** Start from the git diff since this revision. */
  since?: string;
  focus?: string;
}

export interface ImproveResult extends ImproveRoundsResult {
  expert: ExpertRow;
  /** Prompt files written by `init`. */
  scaffolded?: string[];
}

export interface AnswerResult {
  expert: ExpertRow;
  run: RunRow;
  answer: string;
}

export interface PlanResult {
  expert: ExpertRow;
  run: RunRow;
  specPath: string;
  title?: string;
}

export interface ExpertListing {
  domain: string;
  hasExpertise: boolean;
  lines?: number;
  maxLines: number;
  version?: number;
  lastImproved?: Date;
  commit?: string;
  staleClaims?: number;
  /** Files changed in the project since the commit the latest version was checked at. */
  filesChanged?: number;
  /** The file differs from the latest stored version (edited by hand, or by an ADW's branch). */
  modified?: boolean;
}

/**
 * Agent experts over the ledger: every run is an agent run of the runner (recorded like any other), every
 * accepted expertise a version with its provenance, every round an `expert_rounds` row.
 */
export function createExpertService(deps: ExpertServiceDeps) {
  function model(name: string | undefined): string {
    const source = name ? '--model' : 'BATON_MODEL';
    const resolved = resolveModel(name ?? deps.config.defaultModel, source);
    requirePrice(deps.prices, resolved, source);
    return resolved;
  }

  function projectDir(cwd: string): string {
    if (!cwd.trim()) throw new UserError('The working directory is empty: pass --cwd.', { field: 'cwd' });
    const dir = resolve(cwd);
    assertWorkingDirectory(dir);
    return dir;
  }

  function author(input: Common): PromptAuthor {
    return input.orchestratorId ? 'orchestrator_agent' : 'engineer';
  }

  /** Starts runs of one expert operation: the first creates its agent, the rest resume on it. */
  function runStarter(input: Common, dir: string, operation: ExpertOperation, tools: string[]) {
    const resolved = model(input.model);
    let agentId: string | undefined;
    const name = `expert-${input.domain}-${operation}-${shortId(newId())}`;
    return async (prompt: string, resumeSessionId?: string): Promise<RecordedRun> => {
      const run = await deps.runner.start({
        prompt,
        cwd: dir,
        model: resolved,
        allowedTools: tools,
        ...(agentId ? { agentId } : { agentName: name }),
        resumeSessionId,
        author: author(input),
        orchestratorId: input.orchestratorId,
      });
      agentId = run.agentId;
      return run;
    };
  }

  function checkRounds(input: ImproveInput): number {
    const rounds = input.maxRounds ?? (input.untilStable ? defaultMaxRounds : 1);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > maxRoundsLimit) {
      throw new UserError(
        `--max-rounds (max_rounds) must be a whole number from 1 to ${maxRoundsLimit}, got ${rounds}.`,
        {
          field: 'max_rounds',
        },
      );
    }
    if (input.maxRounds !== undefined && input.maxRounds > 1 && !input.untilStable) {
      throw new UserError(
        '--max-rounds (max_rounds) needs --until-stable (until_stable): one round runs otherwise.',
        {
          field: 'max_rounds',
        },
      );
    }
    return rounds;
  }

  async function improveIn(
    input: ImproveInput,
    dir: string,
    files: ExpertFiles,
    operation: ExpertOperation,
  ): Promise<ImproveResult> {
    const maxRounds = checkRounds(input);
    await headCommit(dir); // a repository with no commits is refused before any run
    const since = input.since ? await resolveRevision(dir, input.since, '--since') : undefined;
    const command = requirePrompt(files, 'self-improve');
    const expert = await ensureExpert(deps.pool, dir, files.domain);
    const prompt = selfImprovePrompt(command, files, {
      checkGitDiff: since !== undefined,
      focus: input.focus,
      changedFiles: since ? { since: input.since!, files: await filesChangedSince(dir, since) } : undefined,
    });
    const result = await runImproveRounds({
      pool: deps.pool,
      cwd: dir,
      expert,
      files,
      operation,
      prompt,
      untilStable: input.untilStable ?? false,
      maxRounds,
      start: runStarter(input, dir, operation, improveTools),
    });
    return { ...result, expert };
  }

  /** The expert's files, with an expertise baton accepts (for question and plan). */
  async function loadWithExpertise(
    dir: string,
    domain: string,
  ): Promise<{ files: ExpertFiles; standing: string }> {
    const files = await loadExpertFiles(dir, domain);
    if (files.expertise === undefined) {
      throw new UserError(
        `The expert ${domain} has no expertise yet (${files.paths.expertise}): build it with \`baton expert improve ${domain}\`.`,
        { field: 'domain' },
      );
    }
    const check = await checkExpertiseText(dir, files.paths.expertise, files.expertise, files.maxLines);
    if (!check.ok) {
      throw new UserError(
        `${check.message} Fix it with \`baton expert improve ${domain}\` (or restore a version: \`baton expert history ${domain}\`).`,
        {
          field: 'domain',
        },
      );
    }
    const expert = await findExpert(deps.pool, dir, domain);
    const latest = expert && (await latestExpertiseVersion(deps.pool, expert.id));
    const standing = [
      latest
        ? `version ${latest.version}, checked at ${latest.git_commit.slice(0, 8)}`
        : 'not yet checked by baton',
      `${plural(check.stale.length, 'stale claim')} now`,
    ].join(', ');
    return { files, standing };
  }

  return {
    /** Scaffolds the expert's folder (prompts it lacks) and builds its first expertise with one checked round. */
    async init(input: ImproveInput): Promise<ImproveResult> {
      const dir = projectDir(input.cwd);
      await headCommit(dir);
      checkRounds(input);
      model(input.model);
      const scaffolded = await scaffoldExpert(dir, input.domain, input.focus);
      const files = await loadExpertFiles(dir, input.domain);
      return { ...(await improveIn(input, dir, files, 'init')), scaffolded };
    },

    async improve(input: ImproveInput): Promise<ImproveResult> {
      const dir = projectDir(input.cwd);
      return improveIn(input, dir, await loadExpertFiles(dir, input.domain), 'improve');
    },

    /** A read-only question: the expertise is injected; only tools that cannot write are offered. */
    async question(input: Common & { question: string }): Promise<AnswerResult> {
      if (!input.question.trim()) throw new UserError('The question is empty.', { field: 'question' });
      const dir = projectDir(input.cwd);
      const { files, standing } = await loadWithExpertise(dir, input.domain);
      const prompt = questionPrompt(requirePrompt(files, 'question'), input.question, files, standing);
      const expert = await ensureExpert(deps.pool, dir, input.domain);
      const start = runStarter(input, dir, 'question', questionTools);
      const { run } = await (await start(prompt)).done;
      await insertExpertRound(deps.pool, {
        expertId: expert.id,
        operation: 'question',
        round: 1,
        outcome: run.status === 'succeeded' ? 'answered' : 'failed',
        detail: run.status === 'succeeded' ? undefined : (run.error_message ?? run.status),
        runId: run.id,
      });
      return { expert, run, answer: run.result_text ?? '' };
    },

    /** A spec at a path baton chooses, written with the expertise and checked like an ADW plan. */
    async plan(input: Common & { task: string }): Promise<PlanResult> {
      if (!input.task.trim()) throw new UserError('The task is empty: say what to plan.', { field: 'task' });
      const dir = projectDir(input.cwd);
      const { files, standing } = await loadWithExpertise(dir, input.domain);
      const specPath = `specs/expert-${input.domain}-${slugify(input.task)}-${shortId(newId())}.md`;
      const prompt = planPrompt(requirePrompt(files, 'plan'), input.task, files, specPath, standing);
      const expert = await ensureExpert(deps.pool, dir, input.domain);
      const start = runStarter(input, dir, 'plan', planTools);
      let { run } = await (await start(prompt)).done;
      let checked = await checkSpec(dir, specPath);
      if (!checked.ok && run.status === 'succeeded') {
        // One follow-up in the same session, as an ADW's plan step gets.
        run = (
          await (
            await start(
              `${checked.error} Write ${specPath} now, following the required format exactly, then stop.`,
              run.session_id ?? undefined,
            )
          ).done
        ).run;
        checked = await checkSpec(dir, specPath);
      }
      await insertExpertRound(deps.pool, {
        expertId: expert.id,
        operation: 'plan',
        round: 1,
        outcome: checked.ok ? 'planned' : 'failed',
        detail: checked.ok ? specPath : checked.error,
        runId: run.id,
      });
      if (!checked.ok)
        throw new UserError(`The expert's plan was not usable: ${checked.error}`, { field: 'task' });
      return { expert, run, specPath, title: checked.title };
    },

    /** Every expert of the project, with its standing. */
    async list(cwd: string): Promise<ExpertListing[]> {
      const dir = projectDir(cwd);
      const listings: ExpertListing[] = [];
      for (const domain of await discoverExpertDomains(dir)) {
        const files = await loadExpertFiles(dir, domain);
        const expert = await findExpert(deps.pool, dir, domain);
        const latest = expert && (await latestExpertiseVersion(deps.pool, expert.id));
        const listing: ExpertListing = {
          domain,
          hasExpertise: files.expertise !== undefined,
          maxLines: files.maxLines,
          ...(files.expertise !== undefined ? { lines: lineCount(files.expertise) } : {}),
        };
        if (latest) {
          listing.version = latest.version;
          listing.lastImproved = latest.created_at;
          listing.commit = latest.git_commit;
          listing.staleClaims = latest.stale_claim_count;
          listing.filesChanged = (await filesChangedSince(dir, latest.git_commit)).filter(
            (file) => !file.startsWith(files.paths.folder),
          ).length;
          listing.modified = files.expertise !== undefined && files.expertise !== latest.content;
        }
        listings.push(listing);
      }
      return listings;
    },

    async history(
      cwd: string,
      domain: string,
    ): Promise<{ expert: ExpertRow; versions: ExpertiseVersionRow[]; rounds: ExpertRoundRow[] }> {
      const dir = projectDir(cwd);
      const expert = await recorded(dir, domain);
      return {
        expert,
        versions: await listExpertiseVersions(deps.pool, expert.id),
        rounds: await listExpertRounds(deps.pool, expert.id),
      };
    },

    /**
     * A diff of the expertise: the latest version's (against the one before), one version's, or between
     * two versions (`from` → `to`).
     */
    async diff(
      cwd: string,
      domain: string,
      range: { version?: number; from?: number; to?: number } = {},
    ): Promise<string> {
      const dir = projectDir(cwd);
      const expert = await recorded(dir, domain);
      const versions = await listExpertiseVersions(deps.pool, expert.id);
      const pick = (number: number, field: string) => {
        const found = versions.find((version) => version.version === number);
        if (!found) {
          throw new NotFoundError(
            `The expert ${domain} has no version ${number} (it has 1–${versions.length}).`,
            { field },
          );
        }
        return found;
      };
      if (versions.length === 0)
        throw new NotFoundError(`The expert ${domain} has no stored versions yet.`, { field: 'domain' });
      if (range.from !== undefined || range.to !== undefined) {
        const from = pick(range.from ?? 1, 'from');
        const to = pick(range.to ?? versions.at(-1)!.version, 'to');
        return unifiedDiff(`expertise.yaml@v${from.version}→v${to.version}`, from.content, to.content);
      }
      return pick(range.version ?? versions.at(-1)!.version, 'version').diff;
    },

    /** The project-level expert row for ADW steps (keyed by the project directory, not the worktree). */
    ensureExpert: (workingDir: string, domain: string) => ensureExpert(deps.pool, workingDir, domain),
  };

  async function recorded(dir: string, domain: string): Promise<ExpertRow> {
    await loadExpertFiles(dir, domain); // an unknown domain names the experts there are
    const expert = await findExpert(deps.pool, dir, domain);
    if (!expert) {
      throw new NotFoundError(
        `baton has no history for the expert ${domain} yet: run \`baton expert improve ${domain}\`.`,
        {
          field: 'domain',
        },
      );
    }
    return expert;
  }
}

async function checkSpec(
  dir: string,
  specPath: string,
): Promise<{ ok: true; title?: string } | { ok: false; error: string }> {
  const text = await readFile(join(dir, specPath), 'utf8').catch(() => undefined);
  if (text === undefined) return { ok: false, error: `The file ${specPath} does not exist.` };
  const parsed = parseSpec(text);
  if (!parsed.ok)
    return {
      ok: false,
      error: `The file ${specPath} exists but does not follow the format: ${parsed.error}`,
    };
  return { ok: true, title: parsed.value.title };
}

export type ExpertService = ReturnType<typeof createExpertService>;
