-- One orchestrator per working directory, kept across restarts (the reference made a new one at every boot,
-- so "the" orchestrator was whichever row a query happened to return).
drop index orchestrators_live_name;
create unique index orchestrators_live_working_dir on orchestrators (working_dir) where not archived;
-- The agent row its turns run as, so its runs, usage and events are recorded like any agent's.
alter table orchestrators add column agent_id uuid references agents (id) on delete set null;

-- Chat items in the order they happened: a person's message (queued until its turn runs), and what the
-- orchestrator said, thought and which tools it used, each its own item.
alter table orchestrator_chat add column position bigint generated always as identity;
alter table orchestrator_chat add column kind text not null default 'text'
  check (kind in ('text', 'thinking', 'tool_use', 'error'));
alter table orchestrator_chat add column status text not null default 'done'
  check (status in ('queued', 'running', 'done', 'interrupted', 'failed'));
alter table orchestrator_chat add column run_id uuid references agent_runs (id) on delete set null;
create index orchestrator_chat_position on orchestrator_chat (orchestrator_id, position);
create index orchestrator_chat_queued on orchestrator_chat (orchestrator_id, position) where status in ('queued', 'running');
