import { describeError } from '../../../src/core/errors.ts';
import type { Queryable } from '../../../src/db/pool.ts';
import type { Services } from '../../../src/services/services.ts';
import type { NileServerMessage } from '../protocol.ts';
import { genericPage } from './generic-page.ts';
import { buildHomePrompt } from './home-prompt.ts';
import { homeToolNames, homeToolServer, homeToolServerName } from './home-tools.ts';
import { setHomeAgent, type ShopperRecord } from './shoppers-db.ts';

export interface HomeAgentDeps {
  services: Pick<Services, 'runner'> & { db: { pool: Services['db']['pool'] } };
  /** The agents' working directory (they have no file tools; it must exist). */
  workDir: string;
  /** A resolved model id. */
  model: string;
  /** The model is baton's fake model server playing a script: said on every page. */
  scripted: boolean;
  log?: (line: string) => void;
}

export interface HomeGeneration {
  /** Stops it: nothing more is sent at once; resolves when its run has ended. */
  stop(): Promise<void>;
  /** Resolves when the generation has ended (its last frame sent, or stopped). */
  readonly done: Promise<void>;
}

/** The live baton agent that generates this shopper's pages (one per shopper), if there is one. */
async function homeAgentId(db: Queryable, shopper: ShopperRecord): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>(
    `select id from agents where not archived and orchestrator_id is null
       and (id = $1::uuid or name = $2) order by (id = $1::uuid) desc limit 1`,
    [shopper.homeAgentId, homeAgentName(shopper)],
  );
  return rows.rows[0]?.id;
}

export function homeAgentName(shopper: { name: string }): string {
  return `nile-home-${shopper.name}`;
}

/**
 * One generation of one shopper's home page (REUSE): the prompt built from their expertise now, a
 * baton agent run (recorded in the ledger like any other, so the control room shows it) with the two
 * tools bound to this generation alone, each stream_section sent to `send` as it happens, then
 * `complete`. A run that fails before any section gets the generic page instead.
 */
export function startHomeGeneration(
  deps: HomeAgentDeps,
  shopper: ShopperRecord,
  generation: number,
  send: (message: NileServerMessage) => void,
): HomeGeneration {
  const pool = deps.services.db.pool;
  let stopped = false;
  let interrupt: (() => Promise<void>) | undefined;
  let sections = 0;

  const done = (async () => {
    let personalized = false;
    let cartIds: number[] = [];
    let failure: string | undefined;
    try {
      const prompt = await buildHomePrompt(pool, shopper);
      personalized = prompt.personalized;
      cartIds = prompt.cartProductIds;
      if (stopped) return;
      send({ type: 'started', generation, data: { personalized, scripted: deps.scripted } });
      const tools = homeToolServer({
        db: pool,
        cartProductIds: new Set(cartIds),
        emit(section) {
          if (stopped) return false;
          send({ type: 'section', generation, data: { ...section, index: sections++ } });
          return true;
        },
      });
      const startRun = (agentId: string | undefined) =>
        deps.services.runner.start({
          ...(agentId ? { agentId } : { agentName: homeAgentName(shopper) }),
          cwd: deps.workDir,
          model: deps.model,
          prompt: prompt.userPrompt,
          // The shop's prompt alone: Claude Code's own is about tools this agent does not have.
          systemPrompt: prompt.systemPrompt,
          replaceSystemPrompt: true,
          mcpServers: { [homeToolServerName]: tools },
          // Only the two tools: no built-in tool (no shell, no files) is available to this agent.
          allowedTools: homeToolNames,
          trackFiles: false,
          maxTurns: 30,
          author: 'engineer',
        });
      const agentId = await homeAgentId(pool, shopper);
      const run = await startRun(agentId).catch(async (error: unknown) => {
        // Another page of this shopper created the agent a moment ago (its name is taken): use it.
        const created = agentId ? undefined : await homeAgentId(pool, shopper);
        if (!created) throw error;
        return startRun(created);
      });
      interrupt = run.interrupt;
      if (stopped) void run.interrupt();
      if (run.agentId !== shopper.homeAgentId) {
        shopper.homeAgentId = run.agentId;
        await setHomeAgent(pool, shopper.id, run.agentId);
      }
      const { run: row } = await run.done;
      if (stopped) return;
      if (row.status !== 'succeeded') {
        failure = row.error_message ?? `the home-page agent's run ended as ${row.status}`;
      } else if (sections === 0) failure = 'the home-page agent streamed no section';
    } catch (error) {
      if (stopped) return;
      failure = describeError(error);
    }
    if (failure) {
      deps.log?.(`nile: home page of ${shopper.name}: ${failure}`);
      send({ type: 'error', generation, data: { message: `The personalised page failed: ${failure}` } });
      if (sections === 0) {
        for (const section of await genericPage(pool, cartIds).catch(() => [])) {
          send({ type: 'section', generation, data: { ...section, index: sections++ } });
        }
        send({ type: 'complete', generation, data: { personalized: false, fallback: true } });
        return;
      }
    }
    send({ type: 'complete', generation, data: { personalized, fallback: false } });
  })();

  return {
    done,
    async stop() {
      stopped = true;
      await interrupt?.().catch(() => {});
      await done.catch(() => {});
    },
  };
}
