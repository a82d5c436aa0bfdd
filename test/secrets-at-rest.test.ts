import { describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { demoSpec } from '../src/demo/adw-script.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { text, thinking, toolUse } from '../src/testing/fake-model-server/turns.ts';
import { findStoredSecrets } from '../src/testing/stored-secrets.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';

/**
 * Secrets of every shape baton redacts, each with the part that must not be found anywhere afterwards
 * (what redaction keeps of a value — a short prefix, a variable name — is not the secret).
 */
const planted: { secret: string; needle: string }[] = [
  { secret: 'sk-ant-api03-PLANTEDanthropicKEY0000000000', needle: 'PLANTEDanthropicKEY' },
  { secret: 'ghp_PLANTEDgithubTOKEN00000000000000000', needle: 'PLANTEDgithubTOKEN' },
  { secret: 'AKIAPLANTEDAWSKEY001', needle: 'PLANTEDAWSKEY001' },
  { secret: 'AWS_SECRET_ACCESS_KEY=wJalrPLANTEDawsSECRET/K7MDENGbPxRfiCY', needle: 'PLANTEDawsSECRET' },
  { secret: 'DB_PASSWORD=PLANTEDdbPASSWORD99', needle: 'PLANTEDdbPASSWORD' },
  { secret: 'Authorization: Bearer PLANTEDbearerTOKEN12345', needle: 'PLANTEDbearerTOKEN' },
  { secret: 'postgres://app:PLANTEDurlPASSWORD@db.example.com:5432/app', needle: 'PLANTEDurlPASSWORD' },
  {
    secret: 'eyJhbGciOiJIUzI1NiJ9.eyJQTEFOVEVEand0UEFZTE9BRCI6MX0.PLANTEDjwtSIGNATURE0000',
    needle: 'PLANTEDjwtSIGNATURE',
  },
  {
    secret:
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEPLANTEDprivateKEYmaterial0000\n-----END RSA PRIVATE KEY-----',
    needle: 'PLANTEDprivateKEYmaterial',
  },
  { secret: '{"api_key": "PLANTEDjsonKEYvalue"}', needle: 'PLANTEDjsonKEYvalue' },
  { secret: 'PGPASSWORD=PLANTEDpgPASSWORD5 psql -h db', needle: 'PLANTEDpgPASSWORD' },
  { secret: 'MYSQL_PWD=PLANTEDmysqlPWD42', needle: 'PLANTEDmysqlPWD' },
  { secret: 'mysql -u root -pPLANTEDmysqlFLAG7 app', needle: 'PLANTEDmysqlFLAG' },
  { secret: 'curl -u deploy:PLANTEDcurlPASS3 https://ci.example.com', needle: 'PLANTEDcurlPASS' },
  { secret: 'redis://:PLANTEDredisPASS9@cache:6379/0', needle: 'PLANTEDredisPASS' },
  { secret: 'https://PLANTEDurlTOKENghx8@git.example.com/repo.git', needle: 'PLANTEDurlTOKEN' },
  { secret: 'Authorization: Basic UExBTlRFRGJhc2ljQVVUSDp4eXo=', needle: 'UExBTlRFRGJhc2ljQVVUSDp4eXo' },
  { secret: 'sk_live_PLANTEDstripeKEY0000000000', needle: 'PLANTEDstripeKEY' },
  { secret: '{\\"password\\":\\"PLANTEDescapedJSON\\"}', needle: 'PLANTEDescapedJSON' },
  { secret: 'passphrase: PLANTEDcorrect horse battery staple', needle: 'PLANTEDcorrect' },
  { secret: 'aws output: Pl4nTEDnamelessAWSsecretKEY000abcdEFGH12', needle: 'Pl4nTEDnamelessAWSsecretKEY' },
];
const allSecrets = planted.map((item) => item.secret).join('\n');

describe('no secret is stored anywhere', () => {
  const db = useTestDatabase();
  const { setUp } = useAdwHarness(db);

  it('after an ADW and a failing run whose prompts, thinking, text, tool output, files and errors carry secrets of every shape', async () => {
    const step = (name: string) => ({ lastUserText: { contains: `· step ${name}` } });
    const after = (name: string, tool: string) => ({
      anyText: { contains: `· step ${name}` },
      lastToolResult: { toolName: tool },
    });
    const workdir = '{{request:Primary working directory: ([^\\s\\\\]+)}}';
    const script: Turn[] = [
      {
        match: step('plan'),
        content: [
          thinking(`The deployment uses ${allSecrets}`),
          toolUse('Write', {
            file_path: `${workdir}/{{request:(specs/[a-z0-9-]+\\.md)}}`,
            content: `${demoSpec}\n${allSecrets}\n`,
          }),
        ],
      },
      { match: after('plan', 'Write'), content: [text(`Spec written. Credentials seen: ${allSecrets}`)] },
      {
        match: step('build'),
        content: [toolUse('Bash', { command: `printf '%s\\n' '${allSecrets.replace(/'/g, '')}'` })],
      },
      {
        match: after('build', 'Bash'),
        content: [toolUse('Write', { file_path: `${workdir}/.env`, content: `${allSecrets}\n` })],
      },
      { match: after('build', 'Write'), content: [text(`Wrote .env with ${allSecrets}`)] },
      // A run whose model call fails with a secret in the error.
      {
        match: { lastUserText: { contains: 'failing run' } },
        error: { status: 400, message: `invalid credentials: ${allSecrets}` },
        times: 'always',
      },
    ];
    const adw = await setUp(script);
    await adw.worker(1);
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt: `Deploy with these: ${allSecrets}`,
      cwd: adw.repo,
      name: `deploy ${planted[0]!.secret}`,
    });
    const { row } = await waitForAdw(adw.adws, started.id, ['succeeded', 'failed', 'paused', 'cancelled']);
    expect(row.status, `${row.error_step}: ${row.error_message}`).toBe('succeeded');

    const failing = await adw.services.runner.start({
      prompt: `A failing run. ${allSecrets}`,
      cwd: adw.repo,
      model: modelAliases.haiku,
      systemPrompt: `You know ${allSecrets}`,
      author: 'engineer',
    });
    const { run } = await failing.done;
    expect(run.status).toBe('failed');
    await adw.services.writer.flush();

    // Every path the secrets took was written (so the search below means something) …
    const count = async (sql: string) => (await db.current.pool.query<{ n: number }>(sql)).rows[0]!.n;
    expect(
      await count(`select count(*)::int as n from events where type = 'ToolResultBlock'`),
    ).toBeGreaterThan(0);
    expect(await count(`select count(*)::int as n from events where type = 'ThinkingBlock'`)).toBeGreaterThan(
      0,
    );
    expect(await count(`select count(*)::int as n from file_changes where path = '.env'`)).toBe(1);
    expect(await count(`select count(*)::int as n from session_entries`)).toBeGreaterThan(5);
    expect(await count(`select count(*)::int as n from prompts`)).toBeGreaterThanOrEqual(3);
    expect(run.error_message).toMatch(/invalid credentials/);
    // … and none of them is stored, in any column of any table.
    expect(
      await findStoredSecrets(
        db.current.pool,
        planted.map((item) => item.needle),
      ),
    ).toEqual([]);
  });
});
