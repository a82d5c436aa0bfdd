import { describe, expect, it } from 'vitest';
import { normalizeWorkflowName, parseAdwTrigger } from '../src/workflow/index.ts';

describe('parseAdwTrigger', () => {
  it.each([
    ['start adw: plan_build: add a /health route', 'plan_build', 'add a /health route'],
    ['Start ADW: plan_build_review_fix: add a /health route', 'plan_build_review_fix', 'add a /health route'],
    ['START ADW:plan_build:add a /health route', 'plan_build', 'add a /health route'],
    ['  start   adw :  plan_build  :   add a /health route  ', 'plan_build', 'add a /health route'],
    ['startadw: plan_build: go', 'plan_build', 'go'],
  ])('reads %j', (text, workflow, prompt) => {
    expect(parseAdwTrigger(text)).toEqual({ workflow, prompt });
  });

  it('reads a dashed workflow name as underscored, as the reference UI wrote it', () => {
    expect(parseAdwTrigger('start adw: plan-build-review-fix: tidy up')).toEqual({
      workflow: 'plan_build_review_fix',
      prompt: 'tidy up',
    });
  });

  it('keeps colons and lines in the prompt', () => {
    expect(parseAdwTrigger('start adw: plan_build: fix: the login page\nsee: issue 12 ')).toEqual({
      workflow: 'plan_build',
      prompt: 'fix: the login page\nsee: issue 12',
    });
  });

  it.each([
    ['plain chat', 'please plan and build a /health route'],
    ['no workflow', 'start adw: add a /health route'],
    ['an empty workflow', 'start adw: : add a /health route'],
    ['an empty prompt', 'start adw: plan_build:'],
    ['a blank prompt', 'start adw: plan_build:   \n '],
    ['text before the trigger', 'ok, start adw: plan_build: add a route'],
    ['a workflow name with spaces', 'start adw: plan build: add a route'],
  ])('ignores %s', (_, text) => {
    expect(parseAdwTrigger(text)).toBeUndefined();
  });
});

describe('normalizeWorkflowName', () => {
  it('turns dashes into underscores and trims', () => {
    expect(normalizeWorkflowName(' plan-build-test ')).toBe('plan_build_test');
    expect(normalizeWorkflowName('plan_build')).toBe('plan_build');
  });
});
