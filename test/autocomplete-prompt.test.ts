import { describe, expect, it } from 'vitest';
import {
  autocompleteBounds,
  buildAutocompletePrompt,
  readAutocompleteAnswer,
  type AutocompleteHistoryDigest,
  type AutocompleteHistoryItem,
  type AutocompletePromptInput,
} from '../src/experts/index.ts';

const noHistory: AutocompleteHistoryDigest = {
  accepted: 0,
  rejected: 0,
  topAccepted: [],
  topIgnored: [],
  topOpenings: [],
};

function input(overrides: Partial<AutocompletePromptInput> = {}): AutocompletePromptInput {
  return {
    text: 'ask the builder to',
    recent: [],
    older: noHistory,
    workspace: {
      agents: [{ name: 'builder', status: 'idle' }],
      templates: ['reviewer'],
      slashCommands: ['experts:db:question'],
      files: { paths: ['src/app.ts', 'README.md'], total: 2 },
    },
    ...overrides,
  };
}

const size = (prompt: { system: string; user: string }) => prompt.system.length + prompt.user.length;

describe('buildAutocompletePrompt', () => {
  it('carries the input, the live agents, templates, slash commands and files', () => {
    const prompt = buildAutocompletePrompt(input());
    expect(prompt.user).toContain('<input>ask the builder to</input>');
    expect(prompt.system).toContain('builder: idle');
    expect(prompt.system).toContain('reviewer');
    expect(prompt.system).toContain('/experts:db:question');
    expect(prompt.system).toContain('src/app.ts');
    expect(prompt.system).toContain('Give exactly 3 suggestions');
    expect(prompt.system).not.toContain('Recent history');
  });

  it('quotes the recent history: accepted completions with their reasons, ignored offers', () => {
    const recent: AutocompleteHistoryItem[] = [
      { kind: 'accepted', input: 'start adw', completion: 'plan_build for login', reason: 'common' },
      { kind: 'rejected', input: 'list agents please', offered: ['delete all agents', 'ask reviewer now'] },
    ];
    const { system } = buildAutocompletePrompt(input({ recent }));
    expect(system).toContain('- accepted: "start adw" + "plan_build for login" (reason: "common")');
    expect(system).toContain(
      '- sent without a suggestion: "list agents please"; ignored "delete all agents", "ask reviewer now"',
    );
  });

  it('summarises the older history as counts of its frequent phrases', () => {
    const older: AutocompleteHistoryDigest = {
      accepted: 812,
      rejected: 9_168,
      topAccepted: [{ text: 'run the tests', count: 300 }],
      topIgnored: [{ text: 'delete the agent', count: 41 }],
      topOpenings: [{ text: 'ask the builder', count: 77 }],
    };
    const { system } = buildAutocompletePrompt(input({ older }));
    expect(system).toContain('812 accepted and 9168 sent without a suggestion before the recent history.');
    expect(system).toContain('Accepted most: "run the tests" ×300');
    expect(system).toContain('Ignored most: "delete the agent" ×41');
    expect(system).toContain('start with: "ask the builder" ×77');
  });

  it('stays under its bound with 10,000 history items and a huge workspace, saying what it left out', () => {
    const long = 'x'.repeat(5_000);
    const recent: AutocompleteHistoryItem[] = Array.from({ length: 10_000 }, (_, n) =>
      n % 2
        ? { kind: 'accepted', input: `${long} ${n}`, completion: `${long} done`, reason: long }
        : { kind: 'rejected', input: `${long} ${n}`, offered: [long, long, long] },
    );
    const phrases = Array.from({ length: 500 }, (_, n) => ({ text: `${long}${n}`, count: n }));
    const prompt = buildAutocompletePrompt({
      text: long.repeat(10),
      recent,
      older: {
        accepted: 5_000,
        rejected: 5_000,
        topAccepted: phrases,
        topIgnored: phrases,
        topOpenings: phrases,
      },
      workspace: {
        agents: Array.from({ length: 1_000 }, (_, n) => ({ name: `agent-${n}-${long}`, status: 'idle' })),
        templates: Array.from({ length: 1_000 }, (_, n) => `template-${n}-${long}`),
        slashCommands: Array.from({ length: 1_000 }, (_, n) => `command-${n}-${long}`),
        files: { paths: Array.from({ length: 300 }, (_, n) => `src/${n}/${long}.ts`), total: 120_000 },
      },
    });
    expect(size(prompt)).toBeLessThanOrEqual(autocompleteBounds.promptChars);
    expect(prompt.system).toMatch(/… and \d+ more/);
    expect(prompt.system).toContain('Files (120000 in the repository, the first 300)');
    // The input's end is what a completion continues.
    expect(prompt.user.endsWith('x</input>')).toBe(true);
    expect(prompt.user.length).toBeLessThan(autocompleteBounds.inputChars + 100);
  });

  it('is the same prompt for the same data', () => {
    expect(buildAutocompletePrompt(input())).toEqual(buildAutocompletePrompt(input()));
  });
});

describe('readAutocompleteAnswer', () => {
  const three = {
    suggestions: [
      { completion: 'run the test suite', reason: 'often asked' },
      { completion: 'fix the login bug', reason: 'open issue' },
      { completion: 'review src/app.ts', reason: 'recently changed' },
    ],
  };

  it('reads three suggestions, in a code fence or not', () => {
    const plain = readAutocompleteAnswer(JSON.stringify(three));
    expect(plain).toEqual({ ok: true, suggestions: three.suggestions, dropped: [] });
    const fenced = readAutocompleteAnswer(`Here you go:\n\`\`\`json\n${JSON.stringify(three)}\n\`\`\``);
    expect(fenced.ok && fenced.suggestions).toEqual(three.suggestions);
  });

  it('drops suggestions outside 2–6 words, without a reason, repeated or past the third', () => {
    const reading = readAutocompleteAnswer(
      JSON.stringify({
        suggestions: [
          { completion: 'one', reason: 'too short' },
          { completion: 'a b c d e f g', reason: 'too long' },
          { completion: 'run the tests', reason: '' },
          { completion: 'run the tests', reason: 'fine' },
          { completion: 'Run  the tests', reason: 'same again' },
          { completion: 'open the diff', reason: 'fine' },
          { completion: 'ask the reviewer', reason: 'fine' },
          { completion: 'stop the agent', reason: 'a fourth' },
        ],
      }),
    );
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.suggestions.map((s) => s.completion)).toEqual([
      'run the tests',
      'open the diff',
      'ask the reviewer',
    ]);
    expect(reading.dropped).toEqual([
      'suggestion 1 "one" has 1 words, not 2–6',
      'suggestion 2 "a b c d e f g" has 7 words, not 2–6',
      'suggestion 3 "run the tests" has no reason',
      'suggestion 5 "Run the tests" repeats an earlier one',
      'suggestion 8 "stop the agent" is past the first 3',
    ]);
  });

  it('is not ok, with the reason, for prose, the wrong shape, or nothing usable', () => {
    expect(readAutocompleteAnswer('Sure! Try "run the tests".')).toEqual({
      ok: false,
      reason: 'the answer is not JSON: "Sure! Try \\"run the tests\\"."',
    });
    const shape = readAutocompleteAnswer('{"autocompletes":[{"completion":"a b","reasoning":"r"}]}');
    expect(shape.ok).toBe(false);
    expect(!shape.ok && shape.reason).toMatch(/^the answer's answer\.suggestions /);
    const typed = readAutocompleteAnswer('{"suggestions":[{"completion":3,"reason":"r"}]}');
    expect(!typed.ok && typed.reason).toMatch(/^the answer's answer\.suggestions\.0\.completion /);
    const none = readAutocompleteAnswer('{"suggestions":[{"completion":"word","reason":"r"}]}');
    expect(none).toEqual({
      ok: false,
      reason: 'no usable suggestion: suggestion 1 "word" has 1 words, not 2–6',
    });
  });
});
