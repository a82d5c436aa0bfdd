-- What durable ADW execution needs beyond the initial schema.

-- The engine's state of an ADW (src/workflow/types.ts AdwState, versioned by its `v`). The columns of
-- adws (status, current_step, counts, outputs) are kept in step with it for queries and people.
alter table adws add column state jsonb not null default '{}';

alter table adw_steps add column iteration integer not null default 1 check (iteration >= 1);
alter table adw_steps add column run_id uuid references agent_runs (id) on delete set null;
alter table adw_steps add column skipped_reason text;

-- Claude Code session transcripts, mirrored by the SDK's SessionStore, so a step retried on another
-- machine resumes the same session. Keyed by session id: the working directory may differ there.
create table session_entries (
  seq bigserial primary key,
  session_id text not null,
  subpath text not null default '',
  project_key text not null,
  uuid text,
  entry jsonb not null,
  created_at timestamptz not null default now()
);
create index session_entries_session on session_entries (session_id, subpath, seq);
create unique index session_entries_uuid on session_entries (session_id, subpath, uuid) where uuid is not null;

-- How long the Claude Code process of a run lived: the run's time minus baton's own overhead.
alter table agent_runs add column agent_process_ms bigint;
