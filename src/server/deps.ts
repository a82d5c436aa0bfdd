import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../orchestrator/chat-service.ts';
import type { Services } from '../services/services.ts';
import type { AnyTool } from '../tools/tool.ts';
import type { Router } from './route.ts';
import type { HostPolicy } from './security/allowed-hosts.ts';
import type { WebUi } from './ui/web-ui.ts';

/** Limits that keep one client from costing the others; each has a default (see serverLimits). */
export interface ServerLimits {
  /** Largest request body, in bytes; more is refused with 413. @default 1 MiB */
  bodyLimitBytes: number;
  /** Largest WebSocket message from a client, in bytes. @default 64 KiB */
  wsMessageBytes: number;
  /**
   * Bytes a WebSocket client may have waiting to be sent to it; past it its topics pause until it reads,
   * and if it does not catch up they end with a resync. @default 4 MiB
   */
  wsBufferedBytes: number;
  /** How long a paused topic waits for the client to read before it ends with a resync. @default 30 s */
  wsStallMs: number;
  /** Topics one socket may follow at once. @default 32 */
  wsSubscriptions: number;
  /** How often each socket gets a heartbeat. @default 15 s */
  heartbeatMs: number;
}

export const defaultServerLimits: ServerLimits = {
  bodyLimitBytes: 1024 * 1024,
  wsMessageBytes: 64 * 1024,
  wsBufferedBytes: 4 * 1024 * 1024,
  wsStallMs: 30_000,
  wsSubscriptions: 32,
  heartbeatMs: 15_000,
};

/** A slash command as discovery reports it (src/project provides them); sent with all its fields. */
export type SlashCommandInfo = { readonly name: string };

/** An agent template as discovery reports it (src/project provides them); sent with all its fields. */
export type TemplateInfo = { readonly name: string };

export interface OrchestratorRef {
  id: string;
  agentId: string;
}

/**
 * Routes and sockets something outside the server adds to it (an example application such as Nile),
 * registered after baton's own and behind the same guard: Host, Origin and access token.
 */
export interface ServerExtension {
  name: string;
  /**
   * The pages it serves to people (`{ path: '/nile/', title: 'Nile' }`): opened with `?token=` they are
   * sent on without it, like `/`, and /api/health lists them so the control room can link to them.
   */
  pages?: readonly ExtensionPage[];
  /** Adds routes through `router` (validated like baton's, listed in /api/openapi.json) or `app`. */
  register(app: FastifyInstance, router: Router): Promise<void> | void;
}

export interface ExtensionPage {
  /** Starts and ends with `/`. */
  path: string;
  title: string;
}

export interface ServerDeps {
  services: Services;
  /** The workspace this server serves: ADWs start here, workflows and commands are found here. */
  cwd: string;
  /** The access token every request must show (see loadOrCreateToken). */
  token: string;
  /** The Host names it answers to (see hostPolicy). */
  hosts: HostPolicy;
  /** The management tools, mounted at /api/tools. @default none */
  tools?: readonly AnyTool[];
  /** Slash-command discovery, when present: GET /api/commands. */
  slashCommands?: (
    cwd: string,
  ) => Promise<{ commands: readonly SlashCommandInfo[]; errors: readonly string[] }>;
  /** Agent-template discovery (`.claude/agents/*.md`), when present: GET /api/templates. */
  agentTemplates?: (
    cwd: string,
  ) => Promise<{ templates: readonly TemplateInfo[]; errors: readonly string[] }>;
  /** The chat with this workspace's orchestrator, when this server runs it: /api/orchestrator. */
  chat?: ChatService;
  /**
   * This workspace's orchestrator (its id, and the agent row its turns run as), for the WebSocket topic
   * `orchestrator`, when there is one.
   */
  orchestrator?: () => Promise<OrchestratorRef | undefined>;
  /**
   * A line every page shows across its top (GET /api/server-info): `baton demo --ui` says there that a
   * scripted model plays. @default none
   */
  banner?: string;
  /** The built web UI served at `/` (see loadWebUi). @default a page that says how to build it */
  webUi?: WebUi;
  /** Applications mounted beside baton's own routes. @default none */
  extensions?: readonly ServerExtension[];
  limits?: Partial<ServerLimits>;
  log?: (line: string) => void;
}
