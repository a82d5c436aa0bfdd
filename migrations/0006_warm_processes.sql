-- Command workers that are alive: each beats every few seconds, so another worker can tell whether the
-- worker running a command, or keeping an agent's Claude Code process warm, is still there.
create table command_workers (
  id uuid primary key,
  host text not null,
  pid integer not null,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);

-- The agents whose Claude Code process a worker keeps alive between commands: their next command goes to
-- that worker while it lives (other workers hold back for a moment), so it starts in the live process.
create table warm_agents (
  agent_id uuid primary key references agents (id) on delete cascade,
  worker_id uuid not null references command_workers (id) on delete cascade,
  since timestamptz not null default now()
);
create index warm_agents_worker on warm_agents (worker_id);

-- The worker running a command. Not a foreign key: a worker's row goes when it stops or dies, and its
-- commands are then known to be nobody's.
alter table agent_commands add column worker_id uuid;
