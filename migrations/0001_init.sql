-- baton's ledger. Forward-only: a fix is a new numbered file, never an edit of this one.
-- Status vocabularies here mirror the const objects in src/core/statuses.ts (a test compares them).

create function baton_touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at = now();
  return new;
end;
$$;

-- The chat-driven orchestrator agent. Several may exist; exactly the non-archived ones are live.
create table orchestrators (
  id uuid primary key default gen_random_uuid(),
  name text not null default 'default',
  session_id text,
  status text not null default 'idle' check (status in ('idle', 'executing', 'waiting', 'blocked', 'complete')),
  model text,
  system_prompt text,
  working_dir text not null,
  archived boolean not null default false,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index orchestrators_live_name on orchestrators (name) where not archived;
create trigger orchestrators_touch before update on orchestrators
  for each row execute function baton_touch_updated_at();

-- AI Developer Workflows: one row per run of a workflow, one row per step.
create table adws (
  id uuid primary key default gen_random_uuid(),
  orchestrator_id uuid references orchestrators (id) on delete set null,
  name text not null,
  workflow text not null,
  description text,
  status text not null default 'pending'
    check (status in ('pending', 'running', 'paused', 'succeeded', 'failed', 'cancelled')),
  current_step text,
  total_steps integer not null default 0 check (total_steps >= 0),
  completed_steps integer not null default 0 check (completed_steps >= 0),
  working_dir text not null,
  worktree_path text,
  branch text,
  inputs jsonb not null default '{}',
  outputs jsonb not null default '{}',
  paused_reason text,
  error_message text,
  error_step text,
  cost_usd numeric(14, 6) not null default 0,
  max_cost_usd numeric(14, 6),
  started_at timestamptz,
  ended_at timestamptz,
  duration_ms bigint,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index adws_created on adws (created_at desc);
create index adws_status on adws (status) where status in ('pending', 'running', 'paused');
create index adws_orchestrator on adws (orchestrator_id, created_at desc);
create trigger adws_touch before update on adws for each row execute function baton_touch_updated_at();

-- Persistent, specialised agents (and one agent per ADW step).
create table agents (
  id uuid primary key default gen_random_uuid(),
  orchestrator_id uuid references orchestrators (id) on delete cascade,
  name text not null,
  model text not null,
  system_prompt text,
  working_dir text not null,
  status text not null default 'idle' check (status in ('idle', 'executing', 'waiting', 'blocked', 'complete')),
  session_id text,
  adw_id uuid references adws (id) on delete cascade,
  adw_step text,
  archived boolean not null default false,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- A name is unique among live agents only, so a deleted agent's name can be used again.
create unique index agents_live_name on agents (orchestrator_id, name) nulls not distinct where not archived;
create index agents_adw on agents (adw_id) where adw_id is not null;
create index agents_updated on agents (updated_at desc) where not archived;
create trigger agents_touch before update on agents for each row execute function baton_touch_updated_at();

create table adw_steps (
  id uuid primary key default gen_random_uuid(),
  adw_id uuid not null references adws (id) on delete cascade,
  position integer not null check (position >= 0),
  name text not null,
  status text not null default 'pending'
    check (status in ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
  agent_id uuid references agents (id) on delete set null,
  session_id text,
  attempt integer not null default 0,
  artifact_path text,
  output jsonb not null default '{}',
  error_message text,
  cost_usd numeric(14, 6) not null default 0,
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (adw_id, position)
);
create trigger adw_steps_touch before update on adw_steps
  for each row execute function baton_touch_updated_at();

-- One execution of an agent: a prompt, its turns, its result.
create table agent_runs (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references agents (id) on delete cascade,
  status text not null default 'running'
    check (status in ('running', 'succeeded', 'failed', 'interrupted', 'budget_exceeded')),
  model text not null,
  working_dir text not null,
  session_id text,
  resumed_session_id text,
  adw_id uuid references adws (id) on delete cascade,
  adw_step text,
  max_turns integer,
  max_cost_usd numeric(14, 6),
  num_turns integer not null default 0,
  stop_reason text,
  result_text text,
  error_message text,
  -- Spend as baton prices it from the usage ledger, and what the SDK reported, kept side by side.
  cost_usd numeric(14, 6) not null default 0,
  sdk_cost_usd numeric(14, 6),
  -- Claude Code's cumulative session figures at the end of this run: the baseline of the next resume.
  sdk_session_usage jsonb,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_creation_tokens bigint not null default 0,
  -- Input + cache tokens of the last model call: how full the context window is now.
  context_tokens bigint not null default 0,
  -- The baton process that drives the run, and the Claude Code process it started (for fencing and reaping).
  host text not null,
  pid integer not null,
  agent_pid integer,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  duration_ms bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index agent_runs_agent on agent_runs (agent_id, started_at desc);
create index agent_runs_adw on agent_runs (adw_id) where adw_id is not null;
create index agent_runs_running on agent_runs (status) where status = 'running';
create trigger agent_runs_touch before update on agent_runs
  for each row execute function baton_touch_updated_at();

create table prompts (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references agents (id) on delete cascade,
  run_id uuid references agent_runs (id) on delete cascade,
  author text not null check (author in ('engineer', 'orchestrator_agent', 'adw')),
  prompt_text text not null,
  summary text,
  session_id text,
  created_at timestamptz not null default now()
);
create index prompts_agent on prompts (agent_id, created_at desc);

-- The event log. seq orders everything globally; id is chosen by the writer so a retried insert is a no-op.
-- Its references are not foreign keys on purpose: the log is append-only history written at tens of
-- thousands of rows a second, and per-row key checks cost ~40 % of that (docs/benchmarks.md).
create table events (
  seq bigserial primary key,
  id uuid not null unique,
  category text not null check (category in ('hook', 'response', 'system', 'adw_step', 'file_tracking', 'summary')),
  type text not null,
  orchestrator_id uuid,
  agent_id uuid,
  run_id uuid,
  session_id text,
  adw_id uuid,
  adw_step text,
  payload jsonb not null default '{}',
  summary text,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now()
);
create index events_agent on events (agent_id, seq) where agent_id is not null;
create index events_run on events (run_id, seq) where run_id is not null;
create index events_adw on events (adw_id, seq) where adw_id is not null;
create index events_orchestrator on events (orchestrator_id, seq) where orchestrator_id is not null;

-- One row per model call, priced by baton.
create table usage (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references agent_runs (id) on delete cascade,
  agent_id uuid not null references agents (id) on delete cascade,
  message_id text not null,
  model text not null,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_creation_tokens bigint not null default 0,
  cost_usd numeric(14, 6) not null default 0,
  priced boolean not null default true,
  created_at timestamptz not null default now(),
  unique (run_id, message_id)
);
create index usage_agent on usage (agent_id, created_at);

-- What one run created, modified or deleted, with line counts and a capped unified diff.
create table file_changes (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references agent_runs (id) on delete cascade,
  agent_id uuid not null references agents (id) on delete cascade,
  path text not null,
  status text not null check (status in ('created', 'modified', 'deleted')),
  lines_added integer not null default 0,
  lines_removed integer not null default 0,
  is_binary boolean not null default false,
  diff text,
  diff_truncated boolean not null default false,
  created_at timestamptz not null default now(),
  unique (run_id, path)
);

create table system_logs (
  id uuid primary key default gen_random_uuid(),
  level text not null check (level in ('DEBUG', 'INFO', 'WARNING', 'ERROR')),
  message text not null,
  source text,
  orchestrator_id uuid references orchestrators (id) on delete cascade,
  adw_id uuid references adws (id) on delete cascade,
  adw_step text,
  summary text,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index system_logs_created on system_logs (created_at desc);
create index system_logs_adw on system_logs (adw_id, created_at) where adw_id is not null;

create table orchestrator_chat (
  id uuid primary key default gen_random_uuid(),
  orchestrator_id uuid not null references orchestrators (id) on delete cascade,
  sender_type text not null check (sender_type in ('user', 'orchestrator', 'agent')),
  receiver_type text not null check (receiver_type in ('user', 'orchestrator', 'agent')),
  message text not null,
  summary text,
  agent_id uuid references agents (id) on delete cascade,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((sender_type = 'agent' or receiver_type = 'agent') = (agent_id is not null))
);
create index orchestrator_chat_history on orchestrator_chat (orchestrator_id, created_at desc);
create trigger orchestrator_chat_touch before update on orchestrator_chat
  for each row execute function baton_touch_updated_at();
