import { describe, expect, it } from 'vitest';
import { applyCompletion, completionsFor, type CompletionSources } from '../src/lib/completions.ts';

const sources: CompletionSources = {
  commands: [
    { name: 'review-pr', description: 'Review a pull request', argumentHint: '<pr-number> [focus]' },
    { name: 'experts:adw:question', description: 'Ask the ADW expert' },
    { name: 'release' },
  ],
  workflows: [
    { name: 'plan_build', description: '', steps: ['plan', 'build'] },
    { name: 'plan_build_review', description: 'plan, build, review' },
  ],
  templates: [{ name: 'builder', description: 'Builds features' }],
  agents: ['bob', 'alice'],
};

const labels = (text: string, caret = text.length) =>
  completionsFor(text, caret, sources).map((c) => c.label);

describe('chat input completions', () => {
  it('a leading / offers the slash commands by prefix, with their argument hints and descriptions', () => {
    expect(labels('/')).toEqual(['/review-pr', '/experts:adw:question', '/release']);
    const [review] = completionsFor('/rev', 4, sources);
    expect(review).toMatchObject({ kind: 'command', detail: '<pr-number> [focus] — Review a pull request' });
    expect(applyCompletion('/rev', 4, review!)).toEqual({ text: '/review-pr ', caret: 11 });
    expect(labels('/experts:')).toEqual(['/experts:adw:question']);
    // After the command name the list closes: its arguments are the person's.
    expect(labels('/review-pr 12')).toEqual([]);
  });

  it('start adw: offers the workflows (dashes read as underscores) and inserts the name and its colon', () => {
    expect(labels('start adw: ')).toEqual(['plan_build', 'plan_build_review']);
    expect(labels('Start ADW:plan-build_r')).toEqual(['plan_build_review']);
    const [first] = completionsFor('start adw: plan', 15, sources);
    expect(applyCompletion('start adw: plan', 15, first!)).toEqual({
      text: 'start adw: plan_build: ',
      caret: 23,
    });
    expect(labels('start adw: plan_build: add a route')).toEqual([]);
  });

  it('taking a workflow writes the trigger in its usual form, whatever spacing and case were typed', () => {
    for (const typed of ['start adw:', 'Start ADW :plan_b', '  start  adw:plan']) {
      const [first] = completionsFor(typed, typed.length, sources);
      expect(applyCompletion(typed, typed.length, first!).text).toBe(
        `${typed.slice(0, typed.length - typed.trimStart().length)}start adw: plan_build: `,
      );
    }
  });

  it('the start of "start adw:" offers the trigger; a word offers agent and template names', () => {
    expect(labels('sta')).toEqual(['start adw: <workflow>: <prompt>']);
    expect(applyCompletion('sta', 3, completionsFor('sta', 3, sources)[0]!).text).toBe('start adw: ');
    expect(completionsFor('ask b', 5, sources).map((c) => [c.kind, c.label])).toEqual([
      ['agent', 'bob'],
      ['template', 'builder'],
    ]);
    expect(applyCompletion('ask b to go', 5, completionsFor('ask b to go', 5, sources)[0]!)).toEqual({
      text: 'ask bob to go',
      caret: 7,
    });
    expect(labels('ask bob')).toEqual([]); // already whole
    expect(labels('')).toEqual([]);
  });
});
