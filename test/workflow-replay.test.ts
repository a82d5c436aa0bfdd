import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AdwStatus, StepStatus } from '../src/core/statuses.ts';
import {
  advance,
  builtinWorkflows,
  initialState,
  withFixRounds,
  type AdwCommand,
  type AdwEvent,
} from '../src/workflow/index.ts';

/** A recorded ADW: the events the shell reported, the commands the engine answered with, where it ended. */
interface RecordedRun {
  description: string;
  workflow: string;
  fixRounds?: number;
  events: AdwEvent[];
  expected: {
    commands: AdwCommand[][];
    final: { status: AdwStatus; steps: { name: string; iteration: number; status: StepStatus }[] };
  };
}

const directory = new URL('./fixtures/runs/', import.meta.url);
const fixtures = readdirSync(directory)
  .filter((name) => name.endsWith('.json'))
  .sort();

function load(name: string): RecordedRun {
  return JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as RecordedRun;
}

describe('replaying recorded ADWs', () => {
  it('has recordings to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  it.each(fixtures)('%s', (name) => {
    const run = load(name);
    expect(run.events).toHaveLength(run.expected.commands.length);
    const builtin = builtinWorkflows.find((workflow) => workflow.name === run.workflow);
    if (builtin === undefined) throw new Error(`${name}: no built-in workflow named ${run.workflow}`);
    const workflow = run.fixRounds === undefined ? builtin : withFixRounds(builtin, run.fixRounds);

    let state = initialState(workflow);
    const commands: AdwCommand[][] = [];
    for (const event of run.events) {
      const transition = advance(state, event);
      commands.push(transition.commands);
      state = transition.state;
    }

    expect(commands).toEqual(run.expected.commands);
    expect({
      status: state.status,
      steps: state.steps.map(({ name, iteration, status }) => ({ name, iteration, status })),
    }).toEqual(run.expected.final);
    expect(state.steps.map((step) => step.index)).toEqual(state.steps.map((_, position) => position));
    const reported = run.events.reduce((sum, event) => sum + ('costUsd' in event ? event.costUsd : 0), 0);
    expect(state.costUsd).toBeCloseTo(reported, 9);
    expect(state.steps.reduce((sum, step) => sum + step.costUsd, 0)).toBeCloseTo(reported, 9);
  });
});
