import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../src/core/events.ts';
import { plural } from '../src/core/plural.ts';
import { messageKind, withoutRepeats } from '../src/core/without-repeats.ts';
import { activityLine } from '../src/cli/activity-log.ts';
import { displayWidth, fitWidth, shortenIds } from '../src/cli/fit-width.ts';

describe('fitWidth', () => {
  it('leaves a line that fits as it is, whatever its width', () => {
    expect(fitWidth('hello', 5)).toBe('hello');
    expect(fitWidth('日本語', 6)).toBe('日本語');
    expect(fitWidth('', 10)).toBe('');
  });

  it('cuts a longer line to the width, ending in …', () => {
    expect(fitWidth('hello world', 8)).toBe('hello w…');
    expect(displayWidth(fitWidth('x'.repeat(200), 60))).toBe(60);
  });

  it('counts wide characters and emoji as two columns, and never cuts one in half', () => {
    expect(displayWidth('日本語')).toBe(6);
    expect(fitWidth('日本語のテキスト', 6)).toBe('日本…');
    expect(fitWidth('日本語のテキスト', 5)).toBe('日本…');
    const tool = fitWidth('  🛠  Edit src/app.ts (+12 −3)', 10);
    expect(displayWidth(tool)).toBeLessThanOrEqual(10);
    expect(tool).toMatch(/^ {2}🛠 {2}Ed/);
  });

  it('keeps escape sequences whole, counts them as no columns, and resets the style it cut', () => {
    const red = '\u001b[31m';
    const line = `${red}error\u001b[39m: the database went away and did not come back`;
    const cut = fitWidth(line, 12);
    expect(displayWidth(cut)).toBe(12);
    expect(cut.startsWith(`${red}error\u001b[39m: `)).toBe(true);
    expect(cut.endsWith('\u001b[0m…')).toBe(true);
    // Escapes alone take no room: a coloured line as wide as the terminal is left alone.
    expect(fitWidth(`${red}${'x'.repeat(20)}\u001b[39m`, 20)).toBe(`${red}${'x'.repeat(20)}\u001b[39m`);
  });

  it('keeps a grapheme with combining marks whole', () => {
    const text = 'e\u0301'.repeat(10); // é as e + combining acute
    expect(fitWidth(text, 4)).toBe(`${'e\u0301'.repeat(3)}…`);
  });
});

describe('shortenIds', () => {
  it('shortens full ids to the 8-character prefix shown everywhere, and leaves other hex alone', () => {
    expect(shortenIds('Run started: ADW 8278e231-468d-4ba5-9d0f-6b63ed5bb525 · step plan')).toBe(
      'Run started: ADW 8278e231 · step plan',
    );
    expect(shortenIds('commit fa72edad31 and 0xdeadbeef')).toBe('commit fa72edad31 and 0xdeadbeef');
  });
});

describe('plural', () => {
  it('says one thing in the singular, and none or several in the plural', () => {
    expect(plural(1, 'event')).toBe('1 event');
    expect(plural(0, 'event')).toBe('0 events');
    expect(plural(2, 'line')).toBe('2 lines');
    expect(plural(1, 'event summary', 'event summaries')).toBe('1 event summary');
    expect(plural(3, 'event summary', 'event summaries')).toBe('3 event summaries');
  });
});

describe('withoutRepeats', () => {
  it('prints the first message of each kind and counts its repeats', () => {
    const printed: string[] = [];
    const log = withoutRepeats((line) => printed.push(line));
    log('warning: summarizing 3 events failed (529 overloaded, request req_011CV9)');
    log('warning: summarizing 1 events failed (529 overloaded, request req_022XY7)');
    log('queue: connection lost');
    log('warning: summarizing 12 events failed (529 overloaded, request req_033AB1)');
    expect(printed).toEqual([
      'warning: summarizing 3 events failed (529 overloaded, request req_011CV9)',
      'queue: connection lost',
    ]);
    expect([...log.repeats().values()]).toEqual([3, 1]);
  });

  it('tells apart messages that differ in words, not only in numbers', () => {
    expect(messageKind('adw 8278e231: reconciling failed')).toBe(
      messageKind('adw 1b2c3d4e: reconciling failed'),
    );
    expect(messageKind('agent build: command failed')).not.toBe(messageKind('agent plan: command failed'));
  });
});

describe('activityLine', () => {
  const at = new Date('2026-12-02T14:03:12Z');
  const event = (fields: Partial<LedgerEvent>): LedgerEvent => ({
    id: 'e',
    seq: 1,
    category: 'system',
    type: 'AdwStarted',
    payload: {},
    occurredAt: at,
    recordedAt: at,
    ...fields,
  });
  const adwId = '8278e231-468d-4ba5-9d0f-6b63ed5bb525';

  it('tells steps starting and ending, and agents starting and ending with how many run', () => {
    const running = new Set<string>();
    const lines = [
      event({ type: 'AdwStarted', adwId, summary: 'Workflow plan_build started' }),
      event({
        type: 'StepStart',
        category: 'adw_step',
        adwId,
        adwStep: 'plan',
        summary: 'Step plan started',
      }),
      event({
        type: 'RunStarted',
        adwId,
        adwStep: 'plan',
        runId: 'r1',
        summary: `Run started: ADW ${adwId} · step plan`,
      }),
      event({ type: 'RunStarted', runId: 'r2', summary: 'Run started: fix the tests' }),
      event({
        type: 'RunEnded',
        adwId,
        adwStep: 'plan',
        runId: 'r1',
        summary: 'Run succeeded after 2 turns ($0.0353)',
      }),
      event({
        type: 'StepEnd',
        category: 'adw_step',
        adwId,
        adwStep: 'plan',
        summary: 'Step plan succeeded',
      }),
      event({ type: 'AdwEnded', adwId, summary: 'Workflow succeeded (2/2 steps, $0.0900)' }),
    ].map((one) => activityLine(one, running));
    expect(lines).toEqual([
      '14:03:12  adw 8278e231 · Workflow plan_build started',
      '14:03:12  adw 8278e231 · Step plan started',
      '14:03:12  adw 8278e231 plan · agent started · 1 agent running',
      '14:03:12  run r2 · agent started · 2 agents running',
      '14:03:12  adw 8278e231 plan · Run succeeded after 2 turns ($0.0353) · 1 agent running',
      '14:03:12  adw 8278e231 · Step plan succeeded',
      '14:03:12  adw 8278e231 · Workflow succeeded (2/2 steps, $0.0900)',
    ]);
    expect([...running]).toEqual(['r2']);
  });

  it('leaves out what agents say and do, and makes text from the ledger safe to print', () => {
    const running = new Set<string>();
    expect(
      activityLine(event({ type: 'TextBlock', category: 'response', summary: 'hi' }), running),
    ).toBeUndefined();
    expect(activityLine(event({ type: 'RunQueued', summary: 'queued' }), running)).toBeUndefined();
    expect(
      activityLine(event({ type: 'AdwPaused', adwId, summary: 'Workflow paused: \u001b[2Jcost' }), running),
    ).toBe('14:03:12  adw 8278e231 · Workflow paused: \\x1b[2Jcost');
  });
});
