import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { nodeCheck, nodeRequirement } from '../src/services/admin/doctor.ts';

describe('the Node.js requirement', () => {
  it('is the one package.json declares, and this suite runs on a Node that meets it', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.engines.node).toBe(`>=${nodeRequirement.major}.${nodeRequirement.minor}`);
    expect(nodeCheck().ok).toBe(true);
  });

  it('doctor refuses an older Node and says what to install', () => {
    expect(nodeCheck('20.11.1')).toEqual({
      name: 'Node.js',
      ok: false,
      detail: 'v20.11.1 (baton needs 20.12 or newer)',
      fix: 'Install Node.js 20.12 or newer (22 LTS is fine).',
    });
    expect(nodeCheck('18.20.0').ok).toBe(false);
  });

  it("doctor explains npm's pg-boss engine warning on Node 20, and not on Node 22.12 or newer", () => {
    expect(nodeCheck('20.12.0')).toMatchObject({ ok: true, detail: expect.stringContaining('EBADENGINE') });
    expect(nodeCheck('22.11.0')).toMatchObject({ ok: true, detail: expect.stringContaining('EBADENGINE') });
    expect(nodeCheck('22.12.0')).toEqual({
      name: 'Node.js',
      ok: true,
      detail: 'v22.12.0 (baton needs 20.12 or newer)',
      fix: undefined,
    });
  });
});
