-- Persistent command agents: created without a model turn, commanded through a durable, ordered queue.

-- What an agent is: one `agent run`, one ADW step run, a persistent command agent, or the chat orchestrator
-- itself (its own turns are runs of that agent, so its usage is in the usage ledger like any other's).
alter table agents add column kind text not null default 'run' check (kind in ('run', 'adw_step', 'command', 'orchestrator'));
update agents set kind = 'adw_step' where adw_id is not null;
-- The workspace (the directory given to create_agent) a command agent belongs to; its name is unique there.
-- working_dir is where it runs: the workspace itself, or its own git worktree.
alter table agents add column workspace text;
alter table agents add column template text;
-- The tools the agent may use (from its template); null: every tool.
alter table agents add column tools text[];
alter table agents add column blocked_reason text;
alter table agents add column worktree_path text;
alter table agents add column branch text;

-- Names of command agents are unique per workspace (agents of different directories may share a name);
-- other agents keep the rule of 0001. Archived agents free their names.
drop index agents_live_name;
create unique index agents_live_name on agents (orchestrator_id, name) nulls not distinct
  where not archived and kind <> 'command';
create unique index agents_live_command_name on agents (workspace, name) where not archived and kind = 'command';

-- One command given to a command agent. Its id is its prompt's id; prompts.run_id is its latest run
-- (a command whose worker died is run again, resuming the session). Each is a job on the pg-boss queue
-- `baton-agent-command` (policy key_strict_fifo, keyed by agent): one at a time per agent, in order.
create table agent_commands (
  id uuid primary key references prompts (id) on delete cascade,
  agent_id uuid not null references agents (id) on delete cascade,
  position bigserial not null,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'succeeded', 'failed', 'interrupted', 'cancelled')),
  -- Set by interrupt_agent or delete_agent; the worker running the command stops it when it sees this.
  stop_requested text check (stop_requested in ('interrupt', 'delete')),
  deliveries integer not null default 0,
  error_message text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  ended_at timestamptz
);
create index agent_commands_agent on agent_commands (agent_id, position);
create index agent_commands_open on agent_commands (agent_id, position) where status in ('queued', 'running');
