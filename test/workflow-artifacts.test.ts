import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fixReportTemplate,
  parseArtifact,
  parseFixReport,
  parseReview,
  parseSpec,
  parseTestReport,
  reviewReportTemplate,
  specTemplate,
  testReportTemplate,
} from '../src/workflow/artifacts.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/artifacts/${name}`, import.meta.url), 'utf8');
}

/** Fills every `<…>` of a template: `choices` for the ones named, sample text for the rest. */
function fill(template: string, choices: Record<string, string> = {}): string {
  return template.replace(/<([^<>\n]+)>/g, (_placeholder, text: string) => choices[text] ?? 'sample text');
}

/** A review report around an Issues section. */
function review(verdictLine: string, issues = '### BLOCKER\n\nNone\n'): string {
  return `# Review: sample\n\n${verdictLine}\n\n## Executive Summary\n\nFine.\n\n## Issues\n\n${issues}\n## Plan Compliance\n\n- [x] done\n`;
}

const highIssue = `### HIGH

#### Unchecked input

**Location**: src/a.ts:3
**Recommended fix**: Validate it.
`;

describe('parseSpec', () => {
  it('reads a realistic spec: title, sections (emoji and numbering tolerated), tasks', () => {
    const result = parseSpec(fixture('spec-health-route.md'));
    expect(result).toEqual({
      ok: true,
      value: {
        title: 'Plan: Add a /health route with database status',
        sections: [
          'Task Description',
          '🎯 Objective',
          'Problem Statement',
          'Solution Approach',
          'Relevant Files',
          '2. Step by Step Tasks',
          'Testing Strategy',
          '✅ Acceptance Criteria',
          'Validation Commands',
          'Notes',
        ],
        tasks: 3,
      },
    });
  });

  it('counts list items as tasks when there are no ### headings', () => {
    const text =
      '# Title\n\n## Objective\n\nx\n\n## Step-by-step tasks\n\n1. First\n2. Second\n   - detail\n\n## Acceptance Criteria\n\n- y\n';
    expect(parseSpec(text)).toMatchObject({ ok: true, value: { tasks: 2 } });
  });

  it('names every missing section and the missing title', () => {
    expect(parseSpec('Some plan\n\n## Objective\n\nx\n')).toEqual({
      ok: false,
      error:
        'The spec does not have the required structure: it has no `# <plan title>` line; ' +
        'it has no `## Step by Step Tasks`, `## Acceptance Criteria` sections. A spec needs a `# <title>` line and ' +
        'the `##` sections Objective, Step by Step Tasks and Acceptance Criteria; fix the file and save it again.',
    });
  });

  it('rejects a task section without tasks', () => {
    const result = parseSpec(
      '# T\n\n## Objective\n\nx\n\n## Step by Step Tasks\n\nTBD\n\n## Acceptance Criteria\n\n- y\n',
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('its Step by Step Tasks section lists no tasks');
  });

  it('ignores headings inside code fences', () => {
    const text =
      '```md\n# Not a title\n## Objective\n## Step by Step Tasks\n### 1. x\n## Acceptance Criteria\n```\n';
    expect(parseSpec(text).ok).toBe(false);
  });
});

describe('parseReview: the verdict comes only from the verdict line', () => {
  it('reads PASS when the prose says "FAILURES: 0" and "no failures" (the reference read FAIL)', () => {
    const result = parseReview(fixture('review-pass-failures-zero.md'));
    expect(result).toEqual({
      ok: true,
      value: {
        title: 'Review: /health route with database status',
        verdict: 'PASS',
        tiers: { BLOCKER: 0, HIGH: 0, MEDIUM: 0, LOW: 1 },
        issues: [
          {
            tier: 'LOW',
            title: 'Magic number for the probe timeout',
            location: 'src/server/routes/health.ts:14',
            fix: "Extract `const probeTimeoutMs = 500` next to the factory's options.",
          },
        ],
      },
    });
  });

  it('reads a reference-style FAIL report: emoji tiers, "(n)" suffixes, multi-line solutions', () => {
    const result = parseReview(fixture('review-fail-blocker.md'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.verdict).toBe('FAIL');
    expect(result.value.tiers).toEqual({ BLOCKER: 1, HIGH: 1, MEDIUM: 1, LOW: 0 });
    expect(result.value.issues[0]).toEqual({
      tier: 'BLOCKER',
      title: '1. SQL injection in user search',
      location: 'src/db/users.ts:41-48',
      fix:
        "1. Pass the term as a parameter: `where name ilike $1` with `['%' + term + '%']`.\n" +
        '2. Escape `%` and `_` in the term before wrapping it.',
    });
    expect(result.value.issues.map((issue) => issue.tier)).toEqual(['BLOCKER', 'HIGH', 'MEDIUM']);
  });

  it('rejects PASS with a BLOCKER', () => {
    expect(parseReview(fixture('review-pass-with-blocker.md'))).toEqual({
      ok: false,
      error:
        'The review report says PASS but lists 1 BLOCKER: a report with any BLOCKER must say FAIL. Change the ' +
        'line to `**Verdict**: FAIL`, or move the issue to a lower tier if it does not block the work.',
    });
  });

  it.each([
    ['**Verdict**: PASS', 'PASS'],
    ['**Verdict**: ✅ PASS', 'PASS'],
    ['**Verdict:** ✅ PASS', 'PASS'],
    ['**Verdict**:   **PASS**  ', 'PASS'],
    ['  **Verdict** :  ⚠️ FAIL', 'FAIL'],
    ['- **Verdict**: ❌ FAIL (one HIGH issue)', 'FAIL'],
    ['> **Verdict**: FAIL', 'FAIL'],
    ['✅ **Verdict**: PASS', 'PASS'],
    ['Verdict: PASS', 'PASS'],
    ['**Final Verdict**: PASSED', 'PASS'],
    ['__Verdict__: fail', 'FAIL'],
  ])('reads %j as %s', (line, verdict) => {
    const issues = verdict === 'FAIL' ? highIssue : '### BLOCKER\n\nNone\n';
    expect(parseReview(review(line, issues))).toMatchObject({ ok: true, value: { verdict } });
  });

  it('has no verdict without a verdict line, whatever the prose says', () => {
    expect(parseReview(review('Everything PASSES; no FAIL found.'))).toEqual({
      ok: false,
      error:
        'The review report has no `**Verdict**: PASS` or `**Verdict**: FAIL` line. Only that line decides the ' +
        'verdict: add it under the title (FAIL if any BLOCKER is listed, otherwise PASS) and save the file again.',
    });
  });

  it('does not read an unfilled template choice as a verdict', () => {
    for (const line of [
      '**Verdict**: <PASS or FAIL>',
      '**Verdict**: PASS or FAIL',
      '**Verdict**: PASS | FAIL',
    ]) {
      const result = parseReview(review(line));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toContain('the Verdict line reads');
    }
  });

  it('ignores a verdict line inside a code fence', () => {
    const text = review('```\n**Verdict**: PASS\n```');
    expect(parseReview(text)).toMatchObject({ ok: false });
  });

  it('rejects verdict lines that disagree', () => {
    const text = review('**Verdict**: PASS\n\n**Verdict**: FAIL', highIssue);
    expect(parseReview(text)).toEqual({
      ok: false,
      error:
        'The review report has Verdict lines that disagree (PASS and FAIL). Keep exactly one `**Verdict**:` line ' +
        'with the final verdict.',
    });
  });

  it('accepts verdict lines that agree', () => {
    expect(parseReview(review('**Verdict**: PASS\n\n**Final Verdict**: ✅ PASS'))).toMatchObject({
      ok: true,
    });
  });
});

describe('parseReview: tiers come from the structure', () => {
  it('counts #### headings in each tier; None and missing tiers count 0', () => {
    const issues = `${highIssue}\n#### Second\n\n**Location**: b.ts:1\n**Recommended fix**: x\n\n### LOW\n\nNone\n`;
    expect(parseReview(review('**Verdict**: FAIL', issues))).toMatchObject({
      ok: true,
      value: { tiers: { BLOCKER: 0, HIGH: 2, MEDIUM: 0, LOW: 0 } },
    });
  });

  it('names an issue without Location or Recommended fix', () => {
    const issues = '### HIGH\n\n#### Leaky handle\n\n**Description**: The file is never closed.\n';
    expect(parseReview(review('**Verdict**: FAIL', issues))).toEqual({
      ok: false,
      error:
        "The review report's Issues section is incomplete: issue `Leaky handle` (HIGH) has no `**Location**:` " +
        '(file and lines) and no `**Recommended fix**:` line. Fix the report and save it again.',
    });
  });

  it('rejects an issue outside a tier', () => {
    const issues = '### Notes\n\n#### Stray\n\n**Location**: a:1\n**Recommended fix**: x\n';
    const result = parseReview(review('**Verdict**: FAIL', issues));
    expect(!result.ok && result.error).toContain(
      'issue `Stray` is under `### Notes`, which is not a tier: put it under `### BLOCKER`, `### HIGH`, `### MEDIUM` or `### LOW`',
    );
  });

  it('rejects issues written as bullets, which would count 0', () => {
    const issues = '### HIGH\n\n- **[high]** `a.ts:3`: unchecked input\n';
    const result = parseReview(review('**Verdict**: FAIL', issues));
    expect(!result.ok && result.error).toContain(
      'the `### HIGH` tier has content but no `#### ` issue headings',
    );
  });

  it('rejects FAIL with no issues: there is nothing to fix', () => {
    const result = parseReview(review('**Verdict**: FAIL'));
    expect(!result.ok && result.error).toMatch(/^The review report says FAIL but lists no issues/);
  });

  it('requires the Issues section', () => {
    const result = parseReview('# Review\n\n**Verdict**: PASS\n\nAll good.\n');
    expect(!result.ok && result.error).toMatch(/^The review report has no `## Issues` section/);
  });
});

describe('parseFixReport', () => {
  it('reads a partial fix report; status lines inside a fix entry belong to that fix', () => {
    expect(parseFixReport(fixture('fix-partial.md'))).toEqual({
      ok: true,
      value: { title: 'Fix Report: admin user search', status: 'PARTIAL', fixed: 2 },
    });
  });

  it.each([
    ['**Status**: ✅ ALL FIXED', 'ALL_FIXED'],
    ['**Status:** ALL_FIXED', 'ALL_FIXED'],
    ['**Status**: all fixed', 'ALL_FIXED'],
    ['**Status**: ⚠️ PARTIAL', 'PARTIAL'],
    ['**Status**: ❌ BLOCKED (needs a schema decision)', 'BLOCKED'],
  ])('reads %j as %s', (line, status) => {
    expect(parseFixReport(`# Fix\n\n${line}\n`)).toEqual({
      ok: true,
      value: { title: 'Fix', status },
    });
  });

  it.each([
    ['#### entries under tier headings', '### BLOCKER\n\n#### a\n\nx\n\n### HIGH\n\n#### b\n', 2],
    ['### entries', '### 1. Export farewell\n\nx\n\n### 2. Add the test\n\ny\n', 2],
    ['list items', '1. **Export farewell**: done\n2. **Add the test**: done\n3. Fix the typo\n', 3],
    ['None', 'None\n', 0],
  ])('counts the fixes a report lists as %s', (_shape, fixes, count) => {
    const text = `# Fix\n\n**Status**: ALL FIXED\n\n## Fixes Applied\n\n${fixes}\n## Skipped Issues\n\n- one\n- two\n`;
    expect(parseFixReport(text)).toEqual({
      ok: true,
      value: { title: 'Fix', status: 'ALL_FIXED', fixed: count },
    });
  });

  it('leaves the count out, rather than saying 0 beside ALL FIXED, when it cannot tell the fixes apart', () => {
    const text =
      '# Fix\n\n**Status**: ALL FIXED\n\n## Fixes Applied\n\nExported farewell and added its test.\n';
    expect(parseFixReport(text)).toEqual({ ok: true, value: { title: 'Fix', status: 'ALL_FIXED' } });
  });

  it('requires a readable Status line', () => {
    const result = parseFixReport('# Fix\n\n**Status**: <ALL FIXED, PARTIAL or BLOCKED>\n');
    expect(!result.ok && result.error).toMatch(
      /^The fix report has no readable `\*\*Status\*\*:` line \(the line reads `<ALL FIXED, PARTIAL or BLOCKED>`\)/,
    );
  });

  it('rejects Status lines that disagree', () => {
    const result = parseFixReport(
      '# Fix\n\n**Status**: PARTIAL\n\n## Final Status\n\n**Overall Status**: ALL FIXED\n',
    );
    expect(!result.ok && result.error).toBe(
      'The fix report has Status lines that disagree (PARTIAL and ALL FIXED). Keep one `**Status**:` line with the final status.',
    );
  });
});

describe('parseTestReport', () => {
  it('reads a failing test report', () => {
    expect(parseTestReport(fixture('test-report-fail.md'))).toEqual({
      ok: true,
      value: { title: 'Test Report: admin user search', verdict: 'FAIL', passed: 214, failed: 1 },
    });
  });

  it('reads a verdict without counts', () => {
    expect(parseTestReport('**Verdict**: PASS\n')).toEqual({ ok: true, value: { verdict: 'PASS' } });
  });

  it('rejects PASS with failed tests', () => {
    const result = parseTestReport('**Verdict**: PASS\n**Failed**: 2\n');
    expect(!result.ok && result.error).toBe(
      'The test report says PASS but counts 2 failed tests: a report with any failure must say `**Verdict**: FAIL`.',
    );
  });

  it('rejects a count that is not a number', () => {
    const result = parseTestReport('**Verdict**: PASS\n**Passed**: all of them\n');
    expect(!result.ok && result.error).toContain("The test report's `**Passed**:` line reads `all of them`");
  });
});

describe('parseArtifact', () => {
  it('returns the output fields of each format', () => {
    expect(parseArtifact('spec', fixture('spec-health-route.md'))).toEqual({
      ok: true,
      value: { title: 'Plan: Add a /health route with database status', tasks: 3 },
    });
    expect(parseArtifact('review', fixture('review-fail-blocker.md'))).toEqual({
      ok: true,
      value: {
        title: 'Code Review Report',
        verdict: 'FAIL',
        tiers: { BLOCKER: 1, HIGH: 1, MEDIUM: 1, LOW: 0 },
      },
    });
    expect(parseArtifact('fix', fixture('fix-partial.md'))).toEqual({
      ok: true,
      value: { title: 'Fix Report: admin user search', fixStatus: 'PARTIAL', fixed: 2 },
    });
    expect(parseArtifact('test', fixture('test-report-fail.md'))).toEqual({
      ok: true,
      value: { title: 'Test Report: admin user search', verdict: 'FAIL', passed: 214, failed: 1 },
    });
    expect(parseArtifact('markdown', '\n\n## Changes to the README\n\nAdded a section.\n')).toEqual({
      ok: true,
      value: { title: 'Changes to the README' },
    });
  });

  it('rejects an empty markdown file', () => {
    expect(parseArtifact('markdown', ' \n\t\n')).toMatchObject({ ok: false });
  });

  it('passes the format error through', () => {
    expect(parseArtifact('review', fixture('review-pass-with-blocker.md'))).toMatchObject({ ok: false });
  });
});

describe('templates parse once filled in', () => {
  it('spec', () => {
    expect(parseSpec(fill(specTemplate))).toMatchObject({
      ok: true,
      value: { title: 'sample text', tasks: 2 },
    });
  });

  it('review report', () => {
    const text = fill(reviewReportTemplate, { 'PASS or FAIL': 'FAIL' });
    expect(parseReview(text)).toMatchObject({
      ok: true,
      value: { verdict: 'FAIL', tiers: { BLOCKER: 1, HIGH: 0, MEDIUM: 0, LOW: 0 } },
    });
  });

  it('fix report', () => {
    const text = fill(fixReportTemplate, { 'ALL FIXED, PARTIAL or BLOCKED': 'ALL FIXED' });
    expect(parseFixReport(text)).toMatchObject({ ok: true, value: { status: 'ALL_FIXED', fixed: 1 } });
  });

  it('test report', () => {
    const text = fill(testReportTemplate, {
      'PASS or FAIL': 'PASS',
      'number of passing tests': '12',
      'number of failing tests': '0',
    });
    expect(parseTestReport(text)).toMatchObject({
      ok: true,
      value: { verdict: 'PASS', passed: 12, failed: 0 },
    });
  });

  it('but not unfilled', () => {
    expect(parseReview(reviewReportTemplate).ok).toBe(false);
    expect(parseFixReport(fixReportTemplate).ok).toBe(false);
    expect(parseTestReport(testReportTemplate).ok).toBe(false);
  });
});
