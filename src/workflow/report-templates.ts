/**
 * The report formats the step prompts ask for. They are exactly what the parsers in artifacts.ts accept:
 * a test fills each one in and parses it.
 */

export const specTemplate = `# <Plan title: a short, specific name for the change>

## Task Description

<The request restated precisely, with the constraints it implies.>

## Objective

<What will be true when the work is done.>

## Problem Statement

<Features and non-trivial work only: what is missing or wrong today.>

## Solution Approach

<Features and non-trivial work only: the chosen design and why; phases for complex work.>

## Relevant Files

- \`<path>\`: <why it matters>

### New Files

- \`<path>\`: <what it will hold>

## Step by Step Tasks

### 1. <First task>

- <Concrete action naming files and functions>

### 2. <Next task>

- <Concrete action>

## Testing Strategy

<Tests to add or change, and the edge cases they cover.>

## Acceptance Criteria

- <An observable, checkable outcome>

## Validation Commands

- \`<command>\`: <what it proves>

## Notes

<Assumptions, open questions, dependencies, follow-ups.>
`;

export const reviewReportTemplate = `# Review: <what was reviewed, in a few words>

**Reviewed Work**: <the request, in one sentence>
**Spec**: <spec path, or none>
**Git Diff Summary**: <N files changed, N insertions(+), N deletions(-)>
**Verdict**: <PASS or FAIL>

## Executive Summary

<Two to four sentences: what changed, whether it meets the spec, the main risks.>

## Quick Reference

| # | Issue | Tier | Recommended fix |
|---|-------|------|-----------------|
| 1 | <short description> | <BLOCKER, HIGH, MEDIUM or LOW> | <one line> |

## Issues

### BLOCKER

#### <Short title of the issue>

**Location**: <path/to/file.ts:12-30>
**Description**: <What is wrong and what it breaks.>
**Offending Code**:

\`\`\`<language>
<the lines at fault>
\`\`\`

**Recommended fix**: <What to change; one to three options.>

### HIGH

None

### MEDIUM

None

### LOW

None

## Plan Compliance

- [x] <A spec requirement that is met>
- [ ] <A spec requirement that is missing or wrong>

## Verification Checklist

- [x] <A check you ran, e.g. \`npm test\`: 120 passed>
`;

export const fixReportTemplate = `# Fix Report: <what was fixed, in a few words>

**Review**: <review report path>
**Spec**: <spec path, or none>
**Status**: <ALL FIXED, PARTIAL or BLOCKED>

## Fixes Applied

### BLOCKER

#### <Issue title, as in the review>

**Location**: <path/to/file.ts:12-30>
**Before**:

\`\`\`<language>
<the code before>
\`\`\`

**After**:

\`\`\`<language>
<the code after>
\`\`\`

**Verification**: <How you confirmed the fix, e.g. the test that now passes.>

## Skipped Issues

| Issue | Tier | Reason |
|-------|------|--------|
| <issue title, or None> | <tier> | <why it was not fixed> |

## Validation Results

| Command | Result |
|---------|--------|
| \`<command>\` | <PASS or FAIL, with counts> |

## Files Changed

| File | Change |
|------|--------|
| \`<path>\` | <what changed> |
`;

export const testReportTemplate = `# Test Report: <what was tested, in a few words>

**Spec**: <spec path, or none>
**Verdict**: <PASS or FAIL>
**Passed**: <number of passing tests>
**Failed**: <number of failing tests>

## Commands Run

| Command | Result |
|---------|--------|
| \`<command>\` | <PASS or FAIL, with counts> |

## Failures

#### <Test name, or write None under Failures>

**Location**: <path/to/file.test.ts:40>
**Error**: <The first lines of the failure message.>

## Notes

<Flaky tests, skipped suites, anything a person should know.>
`;
