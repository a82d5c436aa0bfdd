import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advance, builtinWorkflows, initialState, parseAdwState } from '../src/workflow/index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/adw-state/${name}`, import.meta.url), 'utf8'));

describe('parseAdwState', () => {
  it('loads the current version as it is', () => {
    const state = advance(initialState(builtinWorkflows[0]!), {
      type: 'adw.started',
      at: '2026-12-01T10:00:00Z',
    }).state;
    expect(parseAdwState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it('brings a version-1 state (before dispatch numbers) to version 2, and the engine goes on from it', () => {
    const state = parseAdwState(fixture('v1-running-build.json'));
    expect(state.v).toBe(2);
    expect(state.retries).toBe(2);
    expect(state.steps.map(({ status, dispatch, failures }) => ({ status, dispatch, failures }))).toEqual([
      { status: 'succeeded', dispatch: 1, failures: 0 },
      { status: 'running', dispatch: 1, failures: 0 },
    ]);
    // Its build's job (queued without a dispatch, read as dispatch 1) can still finish the step.
    const next = advance(state, {
      type: 'step.succeeded',
      index: 1,
      attempt: 1,
      output: {},
      costUsd: 0.5,
      at: '2026-11-25T10:05:00.000Z',
    });
    expect(next.commands).toEqual([{ type: 'finish', status: 'succeeded' }]);
  });

  it('refuses a state of an unknown version or shape, saying what is wrong', () => {
    expect(() => parseAdwState({ v: 7 })).toThrow(
      /stored state \(version 7\) does not have the expected shape/,
    );
    const broken = { ...(fixture('v1-running-build.json') as object), steps: [{ index: 0 }] };
    expect(() => parseAdwState(broken)).toThrow(/steps\.0\.name/);
  });
});
