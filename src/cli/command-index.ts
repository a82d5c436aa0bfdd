import type { Command } from 'commander';

/**
 * baton's top-level commands, each with the one line `baton --help` shows and a way to load it. A
 * command's module (and everything it imports: the services, pg-boss, the Agent SDK) is imported only
 * when that command runs, so `baton --version` and `baton --help` load almost nothing.
 * `test/cli-command-index.test.ts` checks each summary against the description its module registers.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<(program: Command) => void>;
}

export const commandIndex: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'watch a scripted plan → build → review → fix on a sample repository: no API key needed',
    load: async () => (await import('./commands/demo.ts')).registerDemo,
  },
  {
    name: 'up',
    summary:
      'start baton: the database (embedded unless DATABASE_URL is set), migrated, the HTTP + WebSocket server, and a worker for ADW steps and agent commands; prints what they do; Ctrl-C stops',
    load: async () => (await import('./commands/up.ts')).registerUp,
  },
  {
    name: 'serve',
    summary: 'run only the HTTP + WebSocket server (workers run elsewhere: `baton worker`); Ctrl-C stops',
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  {
    name: 'db',
    summary: 'the ledger database',
    load: async () => (await import('./commands/db.ts')).registerDb,
  },
  {
    name: 'agent',
    summary: 'run Claude Code agents with everything recorded in the ledger',
    load: async () => (await import('./commands/agent-run.ts')).registerAgentRun,
  },
  {
    name: 'agents',
    summary: 'persistent command agents: create, command, wait, delete',
    load: async () => (await import('./commands/agents.ts')).registerAgents,
  },
  {
    name: 'chat',
    summary: 'send the orchestrator agent a message and print its turn (it manages your agents and ADWs)',
    load: async () => (await import('./commands/chat.ts')).registerChat,
  },
  {
    name: 'mcp',
    summary:
      'serve the management tools to an MCP client over stdio (create, command and wait for agents; ADWs)',
    load: async () => (await import('./commands/mcp.ts')).registerMcp,
  },
  {
    name: 'adw',
    summary: 'AI Developer Workflows: plan → build → review → fix, durable and recorded',
    load: async () => (await import('./commands/adw.ts')).registerAdw,
  },
  {
    name: 'expert',
    summary: 'codebase experts: expertise that baton checks against the code, versioned in the ledger',
    load: async () => (await import('./commands/expert.ts')).registerExpert,
  },
  {
    name: 'worker',
    summary:
      'run ADW steps and agent commands from the queue (any number of workers, on any machines, against one database)',
    load: async () => (await import('./commands/worker.ts')).registerWorker,
  },
  {
    name: 'events',
    summary: 'the event log',
    load: async () => (await import('./commands/events-tail.ts')).registerEventsTail,
  },
  {
    name: 'logs',
    summary: "baton's system log, newest first",
    load: async () => (await import('./commands/logs.ts')).registerLogs,
  },
  {
    name: 'cost',
    summary: 'spend of the orchestrator, each agent and each ADW of the workspace, from the usage ledger',
    load: async () => (await import('./commands/logs.ts')).registerCost,
  },
  {
    name: 'gc',
    summary:
      'remove the worktrees of ended ADWs (and their merged branches), unused file-tracking snapshots and benchmark leftovers',
    load: async () => (await import('./commands/gc.ts')).registerGc,
  },
  {
    name: 'doctor',
    summary: 'check that baton can work on this machine (changes nothing)',
    load: async () => (await import('./commands/doctor.ts')).registerDoctor,
  },
  {
    name: 'example',
    summary: 'run an example application on baton (Nile: a shop whose home page an agent personalises)',
    load: async () => (await import('./commands/example.ts')).registerExample,
  },
  {
    name: 'dev',
    summary: 'tools for developing with baton',
    load: async () => (await import('./commands/dev.ts')).registerDev,
  },
];

/**
 * The command `args` (the arguments after `baton`) run: the first one, or the second after `help`.
 * Anything else (`--help`, `--version`, no arguments, an unknown name) runs no command of the index.
 */
export function commandToRun(args: readonly string[]): CommandEntry | undefined {
  const name = args[0] === 'help' ? args[1] : args[0];
  return commandIndex.find((entry) => entry.name === name);
}
