import { plural } from '../core/plural.ts';
import type { ArtifactFormat, FixStatus, RiskTier, StepOutput, Verdict } from './types.ts';

export {
  fixReportTemplate,
  reviewReportTemplate,
  specTemplate,
  testReportTemplate,
} from './report-templates.ts';

/**
 * Machine checks of the files steps leave behind. An agent gets a format wrong often enough that failure is
 * routine, so every parser returns a Result; its error is written to be sent back to the agent as a
 * follow-up ("… add it and save the file again"), so it says what is wrong and how to repair it.
 *
 * Everything here reads the document's structure (headings and `**Field**:` lines outside code fences),
 * never a substring of free text: the reference took "FAILURES: 0" in a passing summary for a FAIL.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export const riskTiers = ['BLOCKER', 'HIGH', 'MEDIUM', 'LOW'] as const satisfies readonly RiskTier[];

export interface SpecSummary {
  title: string;
  /** Every `## ` heading, as written. */
  sections: string[];
  /** Numbered `### ` headings (or, failing those, list items) under Step by Step Tasks. */
  tasks: number;
}

export interface ReviewIssue {
  tier: RiskTier;
  title: string;
  location: string;
  fix: string;
}

export interface ReviewSummary {
  title?: string;
  verdict: Verdict;
  tiers: Record<RiskTier, number>;
  issues: ReviewIssue[];
}

export interface FixSummary {
  title?: string;
  status: FixStatus;
  /** The fixes listed under Fixes Applied; absent when the section is missing or its entries unreadable. */
  fixed?: number;
}

export interface TestSummary {
  title?: string;
  verdict: Verdict;
  passed?: number;
  failed?: number;
}

/** The part of a StepOutput that comes from the artifact itself. */
export type StepOutputFields = Pick<StepOutput, 'title' | 'verdict' | 'tiers' | 'fixStatus'> & {
  tasks?: number;
  fixed?: number;
  passed?: number;
  failed?: number;
};

// ---------------------------------------------------------------------------------------------------------
// Public parsers.

/** A plan: a `# ` title and the sections Objective, Step by Step Tasks and Acceptance Criteria. */
export function parseSpec(text: string): Result<SpecSummary> {
  const lines = scan(text);
  const title = firstTitle(lines);
  const sections = headings(lines).filter((heading) => heading.level === 2);
  const missing = requiredSpecSections.filter(
    (required) => !sections.some((section) => required.matches(normalizeHeading(section.text))),
  );
  const problems: string[] = [];
  if (title === undefined) problems.push('it has no `# <plan title>` line');
  if (missing.length > 0) {
    problems.push(
      `it has no ${missing.map((section) => `\`## ${section.name}\``).join(', ')} section${missing.length > 1 ? 's' : ''}`,
    );
  }
  let tasks = 0;
  const taskSection = sections.find((section) =>
    requiredSpecSections[1].matches(normalizeHeading(section.text)),
  );
  if (taskSection !== undefined) {
    const body = sectionBody(lines, taskSection);
    const taskHeadings = headings(body).filter((heading) => heading.level === 3).length;
    tasks =
      taskHeadings > 0
        ? taskHeadings
        : body.filter((line) => !line.fenced && listItem.test(line.text)).length;
    if (tasks === 0) {
      problems.push(
        'its Step by Step Tasks section lists no tasks: write each as a numbered `### 1. <task>` heading',
      );
    }
  }
  if (problems.length > 0 || title === undefined) {
    return failure(
      `The spec does not have the required structure: ${problems.join('; ')}. ` +
        'A spec needs a `# <title>` line and the `##` sections Objective, Step by Step Tasks and Acceptance ' +
        'Criteria; fix the file and save it again.',
    );
  }
  return { ok: true, value: { title, sections: sections.map((section) => section.text), tasks } };
}

/**
 * A risk-tiered review report. The verdict comes only from the `**Verdict**:` line; the tier counts come
 * only from the `#### ` issue headings under `## Issues` › `### <TIER>`.
 */
export function parseReview(text: string): Result<ReviewSummary> {
  const lines = scan(text);
  const verdict = readVerdict(lines, 'review report');
  if (!verdict.ok) return verdict;

  const issuesHeading = headings(lines).find(
    (heading) => heading.level === 2 && normalizeHeading(heading.text).startsWith('issue'),
  );
  if (issuesHeading === undefined) {
    return failure(
      'The review report has no `## Issues` section. Add it with the subsections `### BLOCKER`, `### HIGH`, ' +
        '`### MEDIUM` and `### LOW`; write each issue as a `#### <title>` heading with `**Location**:` and ' +
        '`**Recommended fix**:` lines, and `None` under a tier without issues.',
    );
  }
  const parsed = readIssues(sectionBody(lines, issuesHeading));
  if (!parsed.ok) return parsed;
  const issues = parsed.value;
  const tiers = countTiers(issues);

  if (verdict.value === 'PASS' && tiers.BLOCKER > 0) {
    return failure(
      `The review report says PASS but lists ${plural(tiers.BLOCKER, 'BLOCKER')}: a report with any BLOCKER ` +
        'must say FAIL. Change the line to `**Verdict**: FAIL`, or move the issue to a lower tier if it does ' +
        'not block the work.',
    );
  }
  if (verdict.value === 'FAIL' && issues.length === 0) {
    return failure(
      'The review report says FAIL but lists no issues, so there is nothing to fix. List what must change ' +
        'under `## Issues` (as `#### <title>` headings in their tier), or change the line to `**Verdict**: PASS`.',
    );
  }
  return { ok: true, value: withTitle(lines, { verdict: verdict.value, tiers, issues }) };
}

/** A fix report: a `**Status**:` line (ALL FIXED, PARTIAL or BLOCKED) and the fixes under Fixes Applied. */
export function parseFixReport(text: string): Result<FixSummary> {
  const lines = scan(text);
  const found = new Set<FixStatus>();
  const unreadable: string[] = [];
  for (const value of reportFields(lines, statusLabels)) {
    const status = fixStatusOf(value);
    if (status === undefined) unreadable.push(value);
    else found.add(status);
  }
  if (found.size === 0) {
    const reads = unreadable.length > 0 ? ` (the line reads \`${unreadable[0]}\`)` : '';
    return failure(
      `The fix report has no readable \`**Status**:\` line${reads}. Add one under the title: ` +
        '`**Status**: ALL FIXED` when every issue is fixed and validation passes, `**Status**: PARTIAL` when ' +
        'some issues were skipped, `**Status**: BLOCKED` when a BLOCKER could not be fixed.',
    );
  }
  if (found.size > 1) {
    return failure(
      `The fix report has Status lines that disagree (${[...found].map(statusText).join(' and ')}). ` +
        'Keep one `**Status**:` line with the final status.',
    );
  }
  const status = [...found][0] as FixStatus;
  const fixesHeading = headings(lines).find(
    (heading) => heading.level === 2 && normalizeHeading(heading.text).startsWith('fixes applied'),
  );
  const fixed = fixesHeading === undefined ? undefined : countFixes(sectionBody(lines, fixesHeading));
  return { ok: true, value: withTitle(lines, fixed === undefined ? { status } : { status, fixed }) };
}

const tierHeading = /^(blocker|high|medium|low)s?$/;
const fixListItem = /^ {0,3}(?:[-*+]|\d+[.)])[ \t]+(.*)$/;

/**
 * The fixes a report's Fixes Applied section lists, in the shapes models write them: `#### ` entries
 * (the template's, under tier headings), else `### ` entries that are not tier headings, else list items.
 * A section that says only "None" lists 0; one whose entries cannot be told apart, undefined (no count
 * rather than a wrong 0 beside ALL FIXED).
 */
function countFixes(body: Line[]): number | undefined {
  const entries = headings(body);
  const level4 = entries.filter((heading) => heading.level === 4).length;
  if (level4 > 0) return level4;
  const level3 = entries.filter(
    (heading) => heading.level === 3 && !tierHeading.test(normalizeHeading(heading.text)),
  ).length;
  if (level3 > 0) return level3;
  const items = body.filter((line) => !line.fenced && fixListItem.test(line.text));
  if (items.some((line) => !/^none\b/i.test(bareValue(fixListItem.exec(line.text)![1]!))))
    return items.length;
  const text = body
    .filter((line) => !line.fenced && !/^ {0,3}#/.test(line.text))
    .map((line) => bareValue(line.text.replace(fixListItem, '$1')).trim())
    .filter((line) => line !== '');
  return text.length > 0 && text.every((line) => /^none\b/i.test(line)) ? 0 : undefined;
}

/** A test report: a `**Verdict**:` line and optional `**Passed**:` / `**Failed**:` counts. */
export function parseTestReport(text: string): Result<TestSummary> {
  const lines = scan(text);
  const verdict = readVerdict(lines, 'test report');
  if (!verdict.ok) return verdict;
  const value: TestSummary = { verdict: verdict.value };
  for (const line of lines) {
    const field = fieldOf(line);
    if (field === undefined || (field.label !== 'passed' && field.label !== 'failed')) continue;
    const count = /^\s*(\d+)\b/.exec(field.value.replace(/[*_`]/g, ''));
    if (count === null) {
      return failure(
        `The test report's \`**${capitalize(field.label)}**:\` line reads \`${field.value}\`; write a whole ` +
          `number (\`**${capitalize(field.label)}**: 12\`) or remove the line.`,
      );
    }
    value[field.label] = Number(count[1]);
  }
  if (value.verdict === 'PASS' && value.failed !== undefined && value.failed > 0) {
    return failure(
      `The test report says PASS but counts ${plural(value.failed, 'failed test')}: a report with any ` +
        'failure must say `**Verdict**: FAIL`.',
    );
  }
  return { ok: true, value: withTitle(lines, value) };
}

/** Checks an artifact against its format and returns the fields of the step's output it determines. */
export function parseArtifact(format: ArtifactFormat, text: string): Result<StepOutputFields> {
  switch (format) {
    case 'spec': {
      const spec = parseSpec(text);
      return spec.ok ? { ok: true, value: { title: spec.value.title, tasks: spec.value.tasks } } : spec;
    }
    case 'review': {
      const review = parseReview(text);
      if (!review.ok) return review;
      const { title, verdict, tiers } = review.value;
      return { ok: true, value: compact({ title, verdict, tiers }) };
    }
    case 'fix': {
      const fix = parseFixReport(text);
      if (!fix.ok) return fix;
      const { title, status, fixed } = fix.value;
      return { ok: true, value: compact({ title, fixStatus: status, fixed }) };
    }
    case 'test': {
      const report = parseTestReport(text);
      return report.ok ? { ok: true, value: compact(report.value) } : report;
    }
    case 'markdown': {
      const first = text
        .split(/\r?\n/)
        .map((line) => line.replace(/^\s*#+\s*/, '').trim())
        .find((line) => line !== '');
      if (first === undefined) return failure("The file is empty. Write the step's result into it.");
      return { ok: true, value: { title: first.length > 120 ? `${first.slice(0, 119)}…` : first } };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading Markdown structure.

interface Line {
  text: string;
  /** Inside a fenced code block (fence lines included): never a heading or a field. */
  fenced: boolean;
}

interface Heading {
  level: number;
  text: string;
  /** Index in the scanned lines. */
  index: number;
}

const listItem = /^(?:\d+[.)]|[-*+])\s+\S/;

function scan(text: string): Line[] {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // Front matter is metadata, not content (its `#` lines are YAML comments).
  let start = 0;
  if (raw[0]?.trim() === '---') {
    const end = raw.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (end > 0) start = end + 1;
  }
  const lines: Line[] = [];
  let fence: { char: string; length: number } | undefined;
  for (const text of raw.slice(start)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence === undefined && marker !== null) {
      fence = { char: marker[1]![0]!, length: marker[1]!.length };
      lines.push({ text, fenced: true });
    } else if (fence !== undefined) {
      const closing = new RegExp(`^ {0,3}\\${fence.char}{${fence.length},}\\s*$`);
      if (closing.test(text)) fence = undefined;
      lines.push({ text, fenced: true });
    } else {
      lines.push({ text, fenced: false });
    }
  }
  return lines;
}

function headings(lines: Line[]): Heading[] {
  const found: Heading[] = [];
  lines.forEach((line, index) => {
    if (line.fenced) return;
    const match = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line.text);
    if (match !== null) found.push({ level: match[1]!.length, text: match[2]!.trim(), index });
  });
  return found;
}

/** The lines after a heading, up to the next heading of the same or a higher level. */
function sectionBody(lines: Line[], heading: Heading): Line[] {
  const next = headings(lines).find((other) => other.index > heading.index && other.level <= heading.level);
  return lines.slice(heading.index + 1, next?.index ?? lines.length);
}

function firstTitle(lines: Line[]): string | undefined {
  return headings(lines).find((heading) => heading.level === 1)?.text;
}

function withTitle<T extends object>(lines: Line[], value: T): T & { title?: string } {
  const title = firstTitle(lines);
  return title === undefined ? value : { title, ...value };
}

/** Lower case, emoji, punctuation, numbering and "(n)" suffixes removed: "🚨 2. BLOCKERS (1)" → "blockers". */
function normalizeHeading(text: string): string {
  return text
    .replace(/\(.*?\)/g, ' ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^(?:\d+ )+/, '');
}

const requiredSpecSections = [
  { name: 'Objective', matches: (heading: string) => /^objectives?$/.test(heading) },
  { name: 'Step by Step Tasks', matches: (heading: string) => heading === 'step by step tasks' },
  { name: 'Acceptance Criteria', matches: (heading: string) => heading === 'acceptance criteria' },
] as const;

interface Field {
  /** Lower case, single spaces: "recommended fix". */
  label: string;
  value: string;
  /** Written as `**Label**:` (or `**Label:**`), not as plain prose. */
  bold: boolean;
}

/**
 * A `**Label**: value` line. Tolerates `**Label:**`, a plain `Label:`, list markers, block quotes and an
 * emoji before the label.
 */
function fieldOf(line: Line): Field | undefined {
  if (line.fenced) return undefined;
  const text = line.text
    .replace(/^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)?/, '')
    .replace(/^[^\p{L}\p{N}*_|`#[]+/u, '');
  const match = /^(\*{1,2}|_{1,2})?\s*([A-Za-z][A-Za-z ]{0,40}?)\s*(?:\1)?\s*:\s*(?:\1)?\s?(.*)$/.exec(text);
  if (match === null) return undefined;
  return {
    label: match[2]!.toLowerCase().replace(/\s+/g, ' '),
    value: match[3]!.trim(),
    bold: match[1] !== undefined,
  };
}

/**
 * The value after a label, markup and emoji removed: "**✅ PASS** (all checks)" → "PASS (all checks)".
 * A `<` is kept, so an unfilled template placeholder (`<PASS or FAIL>`) never reads as a value.
 */
function bareValue(value: string): string {
  return value
    .replace(/[*`]/g, '')
    .replace(/_/g, ' ')
    .replace(/^[^\p{L}<]+/u, '');
}

/** "PASS or FAIL", "ALL FIXED, PARTIAL or BLOCKED": the template's choices copied, not a choice made. */
const listedChoices = /^\s*(?:,|\/|\||or\b)/i;

const verdictLabels = new Set(['verdict', 'final verdict', 'overall verdict']);
const statusLabels = new Set(['status', 'fix status', 'final status', 'overall status']);

/**
 * The values of a report-level field (Verdict, Status). A field inside a `#### ` entry belongs to that
 * entry (a fix's own "**Status**: fixed"), not to the report.
 */
function reportFields(lines: Line[], labels: ReadonlySet<string>): string[] {
  const values: string[] = [];
  let level = 0;
  for (const line of lines) {
    const heading = line.fenced ? null : /^ {0,3}(#{1,6})[ \t]/.exec(line.text);
    if (heading) level = heading[1]!.length;
    const field = fieldOf(line);
    if (level < 4 && field !== undefined && labels.has(field.label)) values.push(field.value);
  }
  return values;
}

function verdictOf(value: string): Verdict | undefined {
  const match = /^(PASS|FAIL)(?:ED)?(?!\p{L})/iu.exec(bareValue(value));
  if (match === null || listedChoices.test(bareValue(value).slice(match[0].length))) return undefined;
  return match[1]!.toUpperCase() as Verdict;
}

function fixStatusOf(value: string): FixStatus | undefined {
  const words = bareValue(value).toUpperCase().replace(/-/g, ' ').replace(/\s+/g, ' ');
  const match = /^(ALL FIXED|PARTIAL(?:LY FIXED)?|BLOCKED)\b/.exec(words);
  if (match === null || listedChoices.test(words.slice(match[0].length))) return undefined;
  return match[1] === 'ALL FIXED' ? 'ALL_FIXED' : match[1] === 'BLOCKED' ? 'BLOCKED' : 'PARTIAL';
}

function statusText(status: FixStatus): string {
  return status.replace('_', ' ');
}

function readVerdict(lines: Line[], what: string): Result<Verdict> {
  const found = new Set<Verdict>();
  const unreadable: string[] = [];
  for (const value of reportFields(lines, verdictLabels)) {
    const verdict = verdictOf(value);
    if (verdict === undefined) unreadable.push(value);
    else found.add(verdict);
  }
  if (found.size === 0) {
    const reads = unreadable.length > 0 ? `; the Verdict line reads \`${unreadable[0]}\`` : '';
    return failure(
      `The ${what} has no \`**Verdict**: PASS\` or \`**Verdict**: FAIL\` line${reads}. ` +
        'Only that line decides the verdict: add it under the title' +
        (what === 'review report' ? ' (FAIL if any BLOCKER is listed, otherwise PASS)' : '') +
        ' and save the file again.',
    );
  }
  if (found.size > 1) {
    return failure(
      `The ${what} has Verdict lines that disagree (PASS and FAIL). Keep exactly one \`**Verdict**:\` line ` +
        'with the final verdict.',
    );
  }
  return { ok: true, value: [...found][0] as Verdict };
}

function tierOf(heading: string): RiskTier | undefined {
  const word = /^(blocker|high|medium|low)s?\b/.exec(normalizeHeading(heading));
  return word === null ? undefined : (word[1]!.toUpperCase() as RiskTier);
}

const noneLike = /^(?:none|no\b|n\/?a\b|nothing|-+$)/i;
const fixLabels = new Set([
  'recommended fix',
  'recommended fixes',
  'recommended solution',
  'recommended solutions',
]);

function readIssues(body: Line[]): Result<ReviewIssue[]> {
  const issues: ReviewIssue[] = [];
  const problems: string[] = [];
  const all = headings(body);
  let tier: RiskTier | undefined;
  let tierHeading: string | undefined;
  for (const [position, heading] of all.entries()) {
    if (heading.level === 3) {
      tier = tierOf(heading.text);
      tierHeading = heading.text;
      if (tier === undefined) continue;
      const tierBody = sectionBody(body, heading);
      const hasIssues = headings(tierBody).some((inner) => inner.level === 4);
      // An issue written as a bullet or a table row would silently count 0: reject it instead.
      const looseItem = tierBody.find((line) => {
        const content = line.text.trim();
        if (line.fenced || !(listItem.test(content) || content.startsWith('|') || fieldOf(line)?.bold)) {
          return false;
        }
        const words = content.replace(/^(?:[-*+]|\d+[.)])\s+/, '').replace(/[*_|]/g, '');
        return !noneLike.test(words.replace(/^[^\p{L}\p{N}]+/u, ''));
      });
      if (!hasIssues && looseItem !== undefined) {
        problems.push(
          `the \`### ${heading.text}\` tier has content but no \`#### \` issue headings: write each issue as ` +
            '`#### <title>` followed by its fields, or write `None`',
        );
      }
      continue;
    }
    if (heading.level !== 4) continue;
    if (tier === undefined) {
      const where =
        tierHeading === undefined ? 'not under a tier' : `under \`### ${tierHeading}\`, which is not a tier`;
      problems.push(
        `issue \`${heading.text}\` is ${where}: put it under \`### BLOCKER\`, \`### HIGH\`, \`### MEDIUM\` or \`### LOW\``,
      );
      continue;
    }
    const next = all.slice(position + 1).find((other) => other.level <= 4);
    const issueBody = body.slice(heading.index + 1, next?.index ?? body.length);
    const location = fieldValue(issueBody, (label) => label === 'location');
    const fix = fieldValue(issueBody, (label) => fixLabels.has(label));
    const missing = [
      location === undefined ? '`**Location**:` (file and lines)' : undefined,
      fix === undefined ? '`**Recommended fix**:`' : undefined,
    ].filter((item) => item !== undefined);
    if (missing.length > 0) {
      problems.push(`issue \`${heading.text}\` (${tier}) has no ${missing.join(' and no ')} line`);
      continue;
    }
    issues.push({ tier, title: heading.text, location: location!, fix: fix! });
  }
  if (problems.length > 0) {
    return failure(
      `The review report's Issues section is incomplete: ${problems.join('; ')}. Fix the report and save it again.`,
    );
  }
  return { ok: true, value: issues };
}

/** A field's value: the rest of its line, or the lines below it up to the next field or heading. */
function fieldValue(lines: Line[], matches: (label: string) => boolean): string | undefined {
  const start = lines.findIndex((line) => {
    const field = fieldOf(line);
    return field !== undefined && matches(field.label);
  });
  if (start < 0) return undefined;
  const inline = fieldOf(lines[start]!)!.value;
  let value = inline;
  if (value === '') {
    const rest: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (!line.fenced && (fieldOf(line)?.bold === true || /^ {0,3}#{1,6}\s/.test(line.text))) break;
      rest.push(line.text);
    }
    value = rest.join('\n').trim();
  }
  value = value.replace(/^`([^`]+)`$/, '$1');
  return value === '' ? undefined : value;
}

function countTiers(issues: ReviewIssue[]): Record<RiskTier, number> {
  const tiers: Record<RiskTier, number> = { BLOCKER: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const issue of issues) tiers[issue.tier] += 1;
  return tiers;
}

function failure(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function capitalize(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** Drops undefined fields, so stored outputs hold only what the artifact said. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
