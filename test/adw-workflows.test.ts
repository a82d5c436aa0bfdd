import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adwScript, scriptedMark } from '../src/demo/adw-script.ts';
import { loadWorkflows } from '../src/services/adws/workflow-registry.ts';
import { text, toolUse } from '../src/testing/fake-model-server/turns.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';

const docsWorkflow = `name: plan_build_docs
description: Plan, build, then write release notes
steps:
  - use: plan
  - use: build
  - name: docs
    prompt: |
      Write release notes for this change: {{prompt}}. The plan is {{spec_path}}.
    artifact: { path: "docs/changes-{adw8}.md", format: markdown }
    allowed_tools: [Read, Write]
    max_turns: 5
`;

describe('ADWs: workflows users compose, and models that keep failing', () => {
  const db = useTestDatabase();
  const { setUp } = useAdwHarness(db);

  it('discovers a custom .baton/workflows file, lists it, and runs its custom step', async () => {
    const docsTurns = [
      {
        match: { lastUserText: { contains: '· step docs' } },
        times: 'always' as const,
        content: [
          toolUse('Write', {
            file_path:
              '{{request:Primary working directory: ([^\\s\\\\]+)}}/{{request:(docs/changes-[0-9a-f]{8}\\.md)}}',
            content: `# Release notes\n\n- farewell(name) ${scriptedMark}\n`,
          }),
        ],
      },
      {
        match: { anyText: { contains: '· step docs' }, lastToolResult: { toolName: 'Write' } },
        times: 'always' as const,
        content: [text('Release notes written.')],
      },
    ];
    const adw = await setUp([...adwScript({ verdict: 'PASS' }), ...docsTurns]);
    mkdirSync(join(adw.repo, '.baton', 'workflows'), { recursive: true });
    writeFileSync(join(adw.repo, '.baton', 'workflows', 'docs.yaml'), docsWorkflow);
    execFileSync('git', ['-C', adw.repo, 'add', '-A']);
    execFileSync('git', [
      '-C',
      adw.repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '-qm',
      'docs workflow',
    ]);

    const catalog = await loadWorkflows(adw.repo);
    expect(catalog.errors).toEqual([]);
    const custom = catalog.workflows.find((workflow) => workflow.name === 'plan_build_docs');
    expect(custom?.steps.map((step) => step.name)).toEqual(['plan', 'build', 'docs']);
    expect(custom?.source).toBe('.baton/workflows/docs.yaml');

    await adw.worker();
    const started = await adw.adws.start({
      workflow: 'plan_build_docs',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    const { row, steps } = await waitForAdw(adw.adws, started.id, ['succeeded', 'failed']);
    expect(row.status).toBe('succeeded');
    const docs = steps[2]!;
    expect(docs.name).toBe('docs');
    expect(docs.artifact_path).toMatch(/^docs\/changes-[0-9a-f]{8}\.md$/);
    expect(readFileSync(join(row.inputs.cwd, docs.artifact_path!), 'utf8')).toContain('farewell(name)');
    // The custom prompt was rendered with the request and the spec path.
    const docsRequest = adw.server
      .messageRequests()
      .find((request) => JSON.stringify(request.body).includes('· step docs'))!;
    expect(JSON.stringify(docsRequest.body)).toContain(`The plan is ${steps[0]!.artifact_path}`);
  });

  it('rejects a workflow file with an error, naming the file, line and problem', async () => {
    const adw = await setUp([]);
    mkdirSync(join(adw.repo, '.baton', 'workflows'), { recursive: true });
    writeFileSync(
      join(adw.repo, '.baton', 'workflows', 'broken.yaml'),
      'name: broken_flow\ndescription: x\nsteps:\n  - use: plan\n  - name: docs\n    prompt: hi\n    artifact: { path: "x.md", format: pdf }\n',
    );
    const before = await db.current.pool.query('select count(*)::int as count from adws');
    const catalog = await loadWorkflows(adw.repo);
    expect(catalog.errors).toHaveLength(1);
    expect(catalog.errors[0]).toMatch(/^\.baton\/workflows\/broken\.yaml:7:\d+: .*format/);
    await expect(adw.adws.start({ workflow: 'broken_flow', prompt: 'x', cwd: adw.repo })).rejects.toThrow(
      /broken\.yaml:7/,
    );
    const after = await db.current.pool.query('select count(*)::int as count from adws');
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });

  it('fails the step after its retries when the model keeps failing, with the error and the step recorded', async () => {
    const adw = await setUp([{ error: { status: 500, message: 'the model is down' }, times: 'always' }]);
    await adw.worker();
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    const { row, steps } = await waitForAdw(adw.adws, started.id, ['failed', 'succeeded'], 120_000);
    expect(row.status).toBe('failed');
    expect(row.error_step).toBe('plan');
    expect(row.error_message).toMatch(/500|the model is down/);
    expect(steps[0]!.status).toBe('failed');
    expect(steps[0]!.attempt).toBe(3); // the first attempt and two retries
    const runs = await db.current.pool.query(`select status from agent_runs where adw_id = $1`, [row.id]);
    expect(runs.rows.map((run) => run.status)).toEqual(['failed', 'failed', 'failed']);
  });
});
