import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExpert, listExpertiseVersions, listExpertRounds } from '../src/db/experts.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { expertPaths, scaffoldExpert } from '../src/experts/index.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { commitAll, writesExpertise } from './helpers/experts.ts';

const paths = expertPaths('greeting');
const learned = 'functions:\n  - greet(name)\n  - farewell(name)\nkey_files: [greet.js, farewell.test.js]\n';

describe('ACT → LEARN → REUSE as an ADW (real Claude Code, git, PostgreSQL; fake model)', () => {
  const db = useTestDatabase();
  const { setUp } = useAdwHarness(db);

  it('expert_plan_build_improve plans with the expertise, builds, and leaves a new version whose provenance names the ADW', async () => {
    const adw = await setUp([
      ...writesExpertise('greeting', '# greeting expert: self-improve', learned, 'Learned farewell.'),
      ...adwScript({ verdict: 'PASS' }),
    ]);
    await scaffoldExpert(adw.repo, 'greeting');
    await writeFile(join(adw.repo, paths.expertise), 'functions: [greet]\nkey_files: [greet.js]\n');
    commitAll(adw.repo, 'the greeting expert');
    await adw.worker();

    const started = await adw.adws.start({
      workflow: 'expert_plan_build_improve',
      prompt: 'Add a farewell(name) function to greet.js with a test',
      cwd: adw.repo,
      expert: 'greeting',
    });
    const { row, steps } = await waitForAdw(adw.adws, started.id, [
      'succeeded',
      'failed',
      'paused',
      'cancelled',
    ]);
    expect(steps.map((step) => [step.name, step.status, step.error_message])).toEqual([
      ['plan', 'succeeded', null],
      ['build', 'succeeded', null],
      ['improve', 'succeeded', null],
    ]);
    expect(row.status).toBe('succeeded');
    expect(steps[2]!.output).toMatchObject({ expert: 'greeting', expertiseVersion: 1, staleClaims: 0 });

    // REUSE: the plan step's prompt carried the expertise.
    const planRequest = adw.server.requests.find((request) =>
      JSON.stringify(request.body).includes('· step plan'),
    );
    expect(JSON.stringify(planRequest?.body)).toContain('The greeting expertise');

    // LEARN: a version of the project's expert (not the worktree's), whose provenance is the ADW.
    const expert = await findExpert(db.current.pool, adw.repo, 'greeting');
    const versions = await listExpertiseVersions(db.current.pool, expert!.id);
    expect(versions).toMatchObject([
      {
        version: 1,
        operation: 'adw_step',
        adw_id: row.id,
        git_commit: row.inputs.baseCommit,
        stale_claim_count: 0,
      },
    ]);
    expect(versions[0]!.diff).toContain('+  - farewell(name)');
    const { rows } = await db.current.pool.query('select adw_id, adw_step from agent_runs where id = $1', [
      versions[0]!.run_id,
    ]);
    expect(rows).toEqual([{ adw_id: row.id, adw_step: 'improve' }]);
    expect((await listExpertRounds(db.current.pool, expert!.id)).map((round) => round.outcome)).toEqual([
      'accepted',
    ]);

    // The learned expertise is part of the ADW's commit on its branch.
    const committed = execFileSync('git', ['show', `${row.branch}:${paths.expertise}`], {
      cwd: adw.repo,
      encoding: 'utf8',
    });
    expect(committed).toBe(learned);
    adw.server.assertComplete();
  });

  it('refuses an expert workflow without --expert, --expert on a workflow without one, and an unknown expert', async () => {
    const adw = await setUp([]);
    const count = async () => (await db.current.pool.query('select count(*)::int as n from adws')).rows[0].n;
    const before = await count();
    const start = (workflow: string, expert?: string) =>
      adw.adws.start({ workflow, prompt: 'x', cwd: adw.repo, ...(expert ? { expert } : {}) });
    await expect(start('expert_plan_build_improve')).rejects.toThrow(
      expect.objectContaining({ field: 'expert' }),
    );
    await expect(start('plan_build', 'greeting')).rejects.toThrow(/no step that takes --expert/);
    await expect(start('expert_plan_build_improve', 'nobody')).rejects.toThrow(/No expert "nobody"/);
    await expect(start('expert_plan_build_improve', '../x')).rejects.toThrow(/not a safe folder name/);
    expect(await count()).toBe(before);
  });
});
