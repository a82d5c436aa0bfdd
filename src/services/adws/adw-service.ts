import { resolve } from 'node:path';
import { resolveModel } from '../../agent/models.ts';
import { requirePrice, type PriceTable } from '../../agent/pricing.ts';
import { assertWorkingDirectory } from '../../agent/run-agent.ts';
import { dataPaths, type Config } from '../../config/index.ts';
import { NotFoundError, UserError } from '../../core/errors.ts';
import { EventType } from '../../core/events.ts';
import { redactText } from '../../core/redact.ts';
import { countProblem, usdProblem } from '../../core/limits.ts';
import { newId, shortId } from '../../core/ids.ts';
import { getAdw, insertAdw, listAdws, listSteps, lockAdw, raiseBudget, type AdwRow } from '../../db/adws.ts';
import { insertEvents } from '../../db/events.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { slugify } from '../../workflow/builtin-steps.ts';
import { needsExpertInput, stepExpert, withFixRounds } from '../../workflow/builtin-workflows.ts';
import type { WorkflowDefinition } from '../../workflow/types.ts';
import { checkDomain, loadExpertFiles, requirePrompt } from '../../experts/index.ts';
import { initialState } from '../../workflow/engine.ts';
import { applyLocked, applyTransition } from './apply-transition.ts';
import type { StepQueue } from './step-queue.ts';
import { findWorkflow } from './workflow-registry.ts';
import { createReconciler } from './reconciler.ts';
import { prepareWorkspace, removeWorkspace } from './workspace.ts';

export interface StartAdwInput {
  workflow: string;
  prompt: string;
  cwd: string;
  model?: string;
  reviewModel?: string;
  maxCostUsd?: number;
  maxTurns?: number;
  stepMaxCostUsd?: number;
  stepMaxTurns?: number;
  /** Let review → fix repeat up to this many passes until the review passes (workflows with a loop). */
  fixRounds?: number;
  inPlace?: boolean;
  /** The agent expert (domain) of a workflow that asks for one, such as expert_plan_build_improve. */
  expert?: string;
  name?: string;
  description?: string;
  orchestratorId?: string;
}

export interface AdwServiceDeps {
  pool: Pool;
  queue: StepQueue;
  config: Readonly<Config>;
  prices: PriceTable;
}

/** Defaults for steps that do not set their own retries and timeout. */
const defaultStepRetries = 2;
const defaultStepTimeoutSeconds = 30 * 60;

/** Each numeric input with the flag people pass it as: checked against the column it goes into. */
const amounts = [
  ['maxCostUsd', '--max-cost', 'usd'],
  ['stepMaxCostUsd', '--step-max-cost', 'usd'],
  ['maxTurns', '--max-turns', 'count'],
  ['stepMaxTurns', '--step-max-turns', 'count'],
  ['fixRounds', '--fix-rounds', 'count'],
] as const;

/**
 * Starting, cancelling and resuming ADWs. Every input is checked before anything is recorded; every
 * change of state goes through the engine (applyTransition) so the ledger tells one story.
 */
export function createAdwService(deps: AdwServiceDeps) {
  const transitions = { pool: deps.pool, queue: deps.queue };
  const reconciler = createReconciler(transitions);

  async function start(input: StartAdwInput): Promise<AdwRow> {
    if (!input.prompt.trim()) throw new UserError('The prompt is empty: say what the workflow should build.');
    for (const [field, flag, kind] of amounts) {
      const value = input[field];
      const problem =
        value === undefined ? undefined : kind === 'usd' ? usdProblem(value) : countProblem(value);
      if (problem) throw new UserError(`${flag} (${field}): ${problem}.`);
    }
    if (!input.cwd.trim())
      throw new UserError('The working directory is empty: pass a directory with --cwd.');
    const cwd = resolve(input.cwd);
    assertWorkingDirectory(cwd);
    const base = await findWorkflow(cwd, input.workflow);
    const workflow = input.fixRounds !== undefined && base.loop ? withFixRounds(base, input.fixRounds) : base;
    if (input.fixRounds !== undefined && !base.loop) {
      throw new UserError(
        `Workflow ${base.name} has no review → fix loop: drop --fix-rounds or use plan_build_review_fix.`,
      );
    }
    const model = checkedModel(
      input.model ?? deps.config.defaultModel,
      input.model ? '--model' : 'BATON_MODEL',
    );
    const reviewModel = checkedModel(
      input.reviewModel ?? input.model ?? deps.config.defaultModel,
      input.reviewModel ? '--review-model' : input.model ? '--model' : 'BATON_MODEL',
    );
    for (const step of workflow.steps)
      if (step.model) checkedModel(step.model, `step ${step.name} of ${workflow.source}`);
    await checkExperts(cwd, workflow, input.expert);

    const id = newId();
    // Branch and artifact names come from the prompt: from its redacted text, so no secret lands in git.
    const slug = slugify(redactText(input.prompt));
    const workspace = await prepareWorkspace(cwd, {
      adwId: id,
      slug,
      inPlace: input.inPlace ?? false,
      worktreesRoot: dataPaths(deps.config.home).worktrees,
    });
    const state = initialState(workflow, { retries: defaultStepRetries });
    try {
      return await inTransaction(deps.pool, async (client) => {
        await insertAdw(client, {
          id,
          name: input.name ?? `${workflow.name}-${shortId(id)}`,
          workflow: workflow.name,
          description: input.description,
          orchestratorId: input.orchestratorId,
          workingDir: cwd,
          worktreePath: workspace.worktreePath,
          branch: workspace.branch,
          maxCostUsd: input.maxCostUsd,
          inputs: {
            prompt: input.prompt,
            model,
            reviewModel,
            maxTurns: input.maxTurns,
            stepMaxCostUsd: input.stepMaxCostUsd,
            stepMaxTurns: input.stepMaxTurns,
            inPlace: workspace.worktreePath === undefined,
            cwd: workspace.cwd,
            fixRounds: input.fixRounds,
            stepRetries: defaultStepRetries,
            stepTimeoutSeconds: defaultStepTimeoutSeconds,
            baseCommit: workspace.baseCommit,
            ...(input.expert !== undefined ? { expert: input.expert } : {}),
          },
          state,
        });
        await insertEvents(client, [
          {
            id: newId(),
            category: 'system',
            type: EventType.AdwCreated,
            adwId: id,
            orchestratorId: input.orchestratorId,
            payload: {
              workflow: workflow.name,
              prompt: input.prompt,
              working_dir: workspace.cwd,
              branch: workspace.branch ?? null,
              in_place_reason: workspace.inPlaceReason ?? null,
              total_steps: state.steps.length,
            },
            summary: `ADW ${workflow.name} created: ${input.prompt.slice(0, 80)}`,
            occurredAt: new Date(),
          },
        ]);
        const row = (await lockAdw(client, id))!;
        await applyLocked(transitions, client, row, { type: 'adw.started', at: new Date().toISOString() });
        return (await getAdw(client, id))!;
      });
    } catch (error) {
      // Nothing half-made is left behind: the ADW was not recorded, so its worktree and branch go too.
      await removeWorkspace(cwd, workspace).catch(() => {});
      throw error;
    }
  }

  /**
   * The experts a workflow's steps name must exist in the project, with the prompts baton runs, before
   * anything is recorded; `--expert` is needed exactly when a step says `{{expert}}`.
   */
  async function checkExperts(cwd: string, workflow: WorkflowDefinition, expert: string | undefined) {
    if (expert !== undefined) checkDomain(expert);
    if (needsExpertInput(workflow) && expert === undefined) {
      throw new UserError(
        `Workflow ${workflow.name} works with an agent expert: pass its domain with --expert (expert).`,
        { field: 'expert' },
      );
    }
    if (expert !== undefined && !needsExpertInput(workflow)) {
      throw new UserError(
        `Workflow ${workflow.name} has no step that takes --expert (expert): drop it, or use expert_plan_build_improve.`,
        { field: 'expert' },
      );
    }
    for (const step of workflow.steps) {
      const domain = stepExpert(step, expert);
      if (domain === undefined) continue;
      const files = await loadExpertFiles(cwd, domain);
      if (step.kind === 'expert_improve') requirePrompt(files, 'self-improve');
    }
  }

  function checkedModel(name: string, source: string): string {
    const model = resolveModel(name, source);
    requirePrice(deps.prices, model, source);
    return model;
  }

  async function get(id: string): Promise<AdwRow> {
    const row = await getAdw(deps.pool, id);
    if (!row) throw new NotFoundError(`No ADW ${id}: list them with \`baton adw ls\`.`);
    return row;
  }

  /** Cancels an ADW: its running step's agent is stopped within seconds (wherever it runs). */
  async function cancel(id: string): Promise<AdwRow> {
    const row = await get(id);
    if (!['pending', 'running', 'paused'].includes(row.status)) {
      throw new UserError(
        `ADW ${id} has already ${row.status === 'succeeded' ? 'succeeded' : `ended (${row.status})`}: there is nothing to cancel.`,
      );
    }
    await applyTransition(transitions, id, { type: 'adw.cancelled', at: new Date().toISOString() });
    return get(id);
  }

  /**
   * Continues an ADW from its first unfinished step, optionally with more budget: a paused, failed or
   * cancelled one, and a running one whose step no job works on any more (its job ended without an
   * outcome: it is settled first, then continued). A cancelled ADW's step whose agent has stopped
   * without saying so is settled the same way.
   */
  async function resume(
    id: string,
    options: { addCostUsd?: number; addTurns?: number } = {},
  ): Promise<AdwRow> {
    const row = await get(id);
    if (row.status === 'succeeded') throw new UserError(`ADW ${id} succeeded: there is nothing to resume.`);
    if (row.status === 'pending')
      throw new UserError(
        `ADW ${id} has not started yet: a worker (\`baton up\` or \`baton worker\`) starts it.`,
      );
    if (options.addCostUsd !== undefined) {
      const problem = usdProblem(options.addCostUsd);
      if (problem) throw new UserError(`--add-cost (addCostUsd): ${problem}.`);
    }
    if (options.addTurns !== undefined) {
      const problem = countProblem(options.addTurns);
      if (problem) throw new UserError(`--add-turns (addTurns): ${problem}.`);
    }
    const open = row.status === 'running' || (await adws.steps(id)).some((step) => step.status === 'running');
    if (open && (await reconciler.reconcileAdw(id)) === 'working') {
      throw new UserError(
        row.status === 'running'
          ? `ADW ${id} is running and a worker is on its current step: there is nothing to resume ` +
              `(follow it with \`baton adw events ${id} --follow\`, or cancel it with \`baton adw cancel ${id}\`).`
          : `Step ${row.current_step ?? ''} of ADW ${id} is still stopping: try again in a few seconds.`,
      );
    }
    const current = await get(id);
    if (current.status === 'running') return current; // settled and dispatched again: it goes on
    await applyTransition(
      transitions,
      id,
      { type: 'adw.resumed', at: new Date().toISOString() },
      async (client) => {
        if (options.addCostUsd) await raiseBudget(client, id, options.addCostUsd);
        if (options.addTurns) {
          await client.query(
            `update adws set inputs = jsonb_set(inputs, '{maxTurns}', to_jsonb(coalesce((inputs->>'maxTurns')::int, 0) + $2))
            where id = $1`,
            [id, options.addTurns],
          );
        }
      },
    );
    return get(id);
  }

  const adws = {
    start,
    get,
    cancel,
    resume,
    list: (options: { limit?: number } = {}) => listAdws(deps.pool, options),
    steps: (id: string) => listSteps(deps.pool, id),
  };
  return adws;
}

export type AdwService = ReturnType<typeof createAdwService>;
