import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adwScript, demoSpec } from '../src/demo/adw-script.ts';
import { artifactReadLimitBytes } from '../src/services/adws/artifact-file.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, useServerHarness } from './helpers/server.ts';

describe('GET /api/adws/:id/steps/:position/artifact, after a real ADW with the scripted model', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const serverHarness = useServerHarness(db);

  it('serves each step’s recorded artifact, 404s what has none, never leaves the working directory, and caps the size', async () => {
    const adw = await adwHarness.setUp(adwScript({ verdict: 'FAIL' }));
    const server = await serverHarness.setUp({ services: adw.services, cwd: adw.repo });
    await adw.worker();
    const started = await adw.adws.start({
      workflow: 'plan_build_review_fix',
      prompt: 'Add a farewell(name) function to greet.js with a test',
      cwd: adw.repo,
    });
    const { row, steps } = await waitForAdw(adw.adws, started.id, ['succeeded', 'failed'], 150_000);
    expect(row.status).toBe('succeeded');
    const get = async (url: string) => {
      const response = await server.app.inject({ method: 'GET', url, headers: auth });
      return { status: response.statusCode, body: response.json() };
    };
    const artifact = (position: number | string) => get(`/api/adws/${row.id}/steps/${position}/artifact`);

    // The spec, the FAIL review and the fix report, each read from the path its step recorded.
    const spec = await artifact(0);
    expect(spec.status).toBe(200);
    expect(spec.body.artifact).toEqual({
      path: steps[0]!.artifact_path,
      content: demoSpec,
      bytes: Buffer.byteLength(demoSpec),
      truncated: false,
    });
    const review = await artifact(2);
    expect(review.body.artifact.path).toMatch(/^app_review\/review-[0-9a-f]{8}-1\.md$/);
    expect(review.body.artifact.content).toContain('**Verdict**: FAIL');
    expect((await artifact(3)).body.artifact.content).toContain('# Fix Report');

    // The UI's form shows where ADWs start; a server without a banner sends none.
    expect((await get('/api/server-info')).body).toEqual({ workspace: adw.repo, banner: null });

    // The build step writes no artifact; a position past the last step does not exist.
    const build = await artifact(1);
    expect(build.status).toBe(404);
    expect(build.body.error.message).toMatch(/Step 1 \(build\) of ADW .* has no artifact recorded/);
    const past = await artifact(9);
    expect(past.status).toBe(404);
    expect(past.body.error.message).toMatch(/no step at position 9 \(it has 4: 0 to 3\)/);
    expect((await artifact('x')).body.error).toMatchObject({ code: 'bad_field', field: 'params.position' });
    expect((await get(`/api/adws/${row.id}/steps/0/artifact?path=/etc/passwd`)).status).toBe(400);

    // A recorded path that points out of the working directory is refused like a missing file: by `..`, …
    const pool = adw.services.db.pool;
    const record = (path: string) =>
      pool.query('update adw_steps set artifact_path = $3 where adw_id = $1 and position = $2', [
        row.id,
        2,
        path,
      ]);
    await record('../../../../../../etc/hostname');
    expect((await artifact(2)).body.error.message).toMatch(/is not inside the ADW’s working directory/);
    await record('/etc/hostname');
    expect((await artifact(2)).status).toBe(404);
    // … and by a symlink inside it that leads out.
    const outside = mkdtempSync(join(tmpdir(), 'baton-artifact-outside-'));
    writeFileSync(join(outside, 'secret.md'), 'not for the UI');
    symlinkSync(join(outside, 'secret.md'), join(row.inputs.cwd, 'app_review', 'link.md'));
    await record('app_review/link.md');
    const linked = await artifact(2);
    expect(linked.status).toBe(404);
    expect(JSON.stringify(linked.body)).not.toContain('not for the UI');

    // A file larger than the cap comes back cut at the cap, saying how large it is.
    const large = 'x'.repeat(artifactReadLimitBytes + 10);
    writeFileSync(join(row.inputs.cwd, steps[0]!.artifact_path!), large);
    const cut = await artifact(0);
    expect(cut.body.artifact).toMatchObject({ bytes: large.length, truncated: true });
    expect(cut.body.artifact.content.length).toBe(artifactReadLimitBytes);
  });
});
