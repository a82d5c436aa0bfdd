import type { WireEvent } from '@protocol';
import type { AdwStep } from '../api/adw-schemas.ts';

export const riskTiers = ['BLOCKER', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type RiskTier = (typeof riskTiers)[number];

/** A step run as a lane shows it: the listing's row, kept current by the step events that follow it. */
export interface LaneStep {
  position: number;
  name: string;
  iteration: number;
  status: string;
  artifactPath?: string;
  verdict?: string;
  tiers?: Partial<Record<RiskTier, number>>;
  costUsd?: number;
  error?: string;
}

export interface Lane {
  /** `workflow` for the ADW's own events, else `step-<position>`. */
  key: string;
  /** `plan`, `fix #2`, `Workflow`. */
  label: string;
  step?: LaneStep;
  events: WireEvent[];
}

export interface Verdict {
  verdict: string;
  tiers: Partial<Record<RiskTier, number>>;
  /** The step that gave it: `review #2`. */
  step: string;
}

/** `fix #2` for a loop's second pass, `fix` for the first: how the engine labels it too. */
export function stepLabel(name: string, iteration: number): string {
  return iteration > 1 ? `${name} #${iteration}` : name;
}

function fromRow(row: AdwStep): LaneStep {
  return withOutput(
    {
      position: row.position,
      name: row.name,
      iteration: row.iteration,
      status: row.status,
      costUsd: row.cost_usd,
      error: row.error_message ?? undefined,
    },
    row.output,
  );
}

function withOutput(step: LaneStep, output: unknown): LaneStep {
  if (!output || typeof output !== 'object') return step;
  const { artifactPath, verdict, tiers } = output as Record<string, unknown>;
  const next = { ...step };
  if (typeof artifactPath === 'string') next.artifactPath = artifactPath;
  if (typeof verdict === 'string') next.verdict = verdict;
  if (tiers && typeof tiers === 'object') {
    const counts: Partial<Record<RiskTier, number>> = {};
    for (const tier of riskTiers) {
      const count = (tiers as Record<string, unknown>)[tier];
      if (typeof count === 'number') counts[tier] = count;
    }
    next.tiers = counts;
  }
  return next;
}

const stepEvents = new Set(['StepStart', 'StepEnd', 'StepSkipped', 'StepRequeued']);

/**
 * The swimlanes of one ADW: a lane per step run in position order (loop passes are their own runs:
 * `review #2`, `fix #2`), each holding its events as they came, and a `Workflow` lane for the ADW's own
 * (created, started, ended). A step event names its step by position (`payload.index`); an agent's
 * event names only the step's name, so it goes to the lane its agent belongs to (the step row's
 * `agent_id`, else the latest started run of that name, which is the one running: an ADW runs one
 * step at a time). Pure: the store calls it per ADW when that ADW's events or steps change.
 */
export function buildLanes(
  rows: readonly AdwStep[],
  events: readonly WireEvent[],
): { lanes: Lane[]; verdict?: Verdict } {
  const lanes = new Map<number, Lane>();
  const workflow: Lane = { key: 'workflow', label: 'Workflow', events: [] };
  const agentLane = new Map<string, number>();
  const latestByName = new Map<string, number>();

  const laneAt = (position: number, name: string, iteration: number): Lane => {
    let lane = lanes.get(position);
    if (!lane) {
      lane = {
        key: `step-${position}`,
        label: stepLabel(name, iteration),
        step: { position, name, iteration, status: 'pending' },
        events: [],
      };
      lanes.set(position, lane);
    }
    return lane;
  };

  for (const row of rows) {
    const lane = laneAt(row.position, row.name, row.iteration);
    lane.step = fromRow(row);
    if (row.agent_id) agentLane.set(row.agent_id, row.position);
    if (row.started_at) latestByName.set(row.name, row.position);
  }

  for (const event of events) {
    if (event.type === 'SummaryUpdated') continue;
    const index = event.payload.index;
    if (event.category === 'adw_step' && stepEvents.has(event.type) && typeof index === 'number') {
      const name = event.adwStep ?? `step ${index}`;
      const iteration = typeof event.payload.iteration === 'number' ? event.payload.iteration : 1;
      const lane = laneAt(index, name, iteration);
      const step = lane.step!;
      if (event.type === 'StepStart') {
        lane.step = { ...step, status: 'running' };
        latestByName.set(name, index);
      } else if (event.type === 'StepEnd') {
        const status = typeof event.payload.status === 'string' ? event.payload.status : step.status;
        const costUsd = typeof event.payload.cost_usd === 'number' ? event.payload.cost_usd : step.costUsd;
        const error = typeof event.payload.error === 'string' ? event.payload.error : undefined;
        lane.step = withOutput({ ...step, status, costUsd, error }, event.payload.output);
      } else if (event.type === 'StepSkipped') {
        lane.step = { ...step, status: 'skipped' };
      } else {
        lane.step = { ...step, status: 'pending' };
      }
      lane.events.push(event);
      continue;
    }
    if (event.type === 'AdwPaused') {
      // A pause hands the running step back to the queue (pending) without a step event of its own.
      for (const lane of lanes.values())
        if (lane.step?.status === 'running') lane.step = { ...lane.step, status: 'pending' };
    }
    if (event.adwStep !== undefined) {
      let position = event.agentId ? agentLane.get(event.agentId) : undefined;
      position ??= latestByName.get(event.adwStep);
      if (position !== undefined) {
        if (event.agentId) agentLane.set(event.agentId, position);
        lanes.get(position)!.events.push(event);
        continue;
      }
    }
    workflow.events.push(event);
  }

  const ordered = [...lanes.values()].sort((a, b) => a.step!.position - b.step!.position);
  let verdict: Verdict | undefined;
  for (const lane of ordered) {
    const step = lane.step!;
    if (step.verdict)
      verdict = {
        verdict: step.verdict,
        tiers: step.tiers ?? {},
        step: stepLabel(step.name, step.iteration),
      };
  }
  return { lanes: workflow.events.length > 0 ? [workflow, ...ordered] : ordered, verdict };
}
