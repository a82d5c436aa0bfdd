import { resolve } from 'node:path';
import { resolveModel } from '../../agent/models.ts';
import { assertWorkingDirectory } from '../../agent/run-agent.ts';
import { dataPaths, type Config } from '../../config/index.ts';
import { NotFoundError, UserError } from '../../core/errors.ts';
import { EventType } from '../../core/events.ts';
import { newId, shortId } from '../../core/ids.ts';
import { getAdw, insertAdw, listAdws, listSteps, lockAdw, raiseBudget, type AdwRow } from '../../db/adws.ts';
import { insertEvents } from '../../db/events.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { runningRunsOfStep } from '../../db/runs.ts';
import { slugify } from '../../workflow/builtin-steps.ts';
import { withFixRounds } from '../../workflow/builtin-workflows.ts';
import { initialState } from '../../workflow/engine.ts';
import type { AdwState } from '../../workflow/types.ts';
import { applyLocked, applyTransition } from './apply-transition.ts';
import type { StepQueue } from './step-queue.ts';
import { findWorkflow } from './workflow-registry.ts';
import { prepareWorkspace } from './workspace.ts';

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
  name?: string;
  description?: string;
  orchestratorId?: string;
}

export interface AdwServiceDeps {
  pool: Pool;
  queue: StepQueue;
  config: Readonly<Config>;
}

/** Defaults for steps that do not set their own retries and timeout. */
const defaultStepRetries = 2;
const defaultStepTimeoutSeconds = 30 * 60;

/**
 * Starting, cancelling and resuming ADWs. Every input is checked before anything is recorded; every
 * change of state goes through the engine (applyTransition) so the ledger tells one story.
 */
export function createAdwService(deps: AdwServiceDeps) {
  const transitions = { pool: deps.pool, queue: deps.queue };

  async function start(input: StartAdwInput): Promise<AdwRow> {
    if (!input.prompt.trim()) throw new UserError('The prompt is empty: say what the workflow should build.');
    const cwd = resolve(input.cwd);
    assertWorkingDirectory(cwd);
    const base = await findWorkflow(cwd, input.workflow);
    const workflow = input.fixRounds !== undefined && base.loop ? withFixRounds(base, input.fixRounds) : base;
    if (input.fixRounds !== undefined && !base.loop) {
      throw new UserError(
        `Workflow ${base.name} has no review → fix loop: drop --fix-rounds or use plan_build_review_fix.`,
      );
    }
    const model = resolveModel(
      input.model ?? deps.config.defaultModel,
      input.model ? '--model' : 'BATON_MODEL',
    );
    const reviewModel = resolveModel(
      input.reviewModel ?? input.model ?? deps.config.defaultModel,
      '--review-model',
    );
    for (const step of workflow.steps)
      if (step.model) resolveModel(step.model, `step ${step.name} of ${workflow.source}`);

    const id = newId();
    const slug = slugify(input.prompt);
    const workspace = await prepareWorkspace(cwd, {
      adwId: id,
      slug,
      inPlace: input.inPlace ?? false,
      worktreesRoot: dataPaths(deps.config.home).worktrees,
    });
    const state = initialState(workflow);
    return inTransaction(deps.pool, async (client) => {
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
   * Continues a paused, failed or cancelled ADW from its first unfinished step, optionally with more
   * budget. A step whose agent already stopped is settled first.
   */
  async function resume(
    id: string,
    options: { addCostUsd?: number; addTurns?: number } = {},
  ): Promise<AdwRow> {
    const row = await get(id);
    if (row.status === 'succeeded') throw new UserError(`ADW ${id} succeeded: there is nothing to resume.`);
    if (row.status === 'running' || row.status === 'pending') {
      throw new UserError(
        `ADW ${id} is ${row.status}: only a paused, failed or cancelled ADW can be resumed.`,
      );
    }
    await settleStoppedSteps(row);
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

  /** A step left running by a cancelled ADW whose worker died never reports itself: settle it here. */
  async function settleStoppedSteps(row: AdwRow): Promise<void> {
    const state = row.state as AdwState;
    for (const step of state.steps.filter((run) => run.status === 'running')) {
      const live = await runningRunsOfStep(deps.pool, row.id, step.name);
      if (live.length) {
        throw new UserError(
          `Step ${step.name} of ADW ${row.id} is still stopping: try again in a few seconds.`,
        );
      }
      await applyTransition(transitions, row.id, {
        type: 'step.cancelled',
        index: step.index,
        costUsd: 0,
        at: new Date().toISOString(),
      });
    }
  }

  return {
    start,
    get,
    cancel,
    resume,
    list: (options: { limit?: number } = {}) => listAdws(deps.pool, options),
    steps: (id: string) => listSteps(deps.pool, id),
  };
}

export type AdwService = ReturnType<typeof createAdwService>;
