-- Agent experts: one per project directory and domain (`.claude/commands/experts/<domain>/`). The files stay
-- in the project (Claude Code reads them); the database keeps every accepted version of the expertise with
-- its provenance, and every round baton ran, failed ones included.
create table experts (
  id uuid primary key default gen_random_uuid(),
  working_dir text not null,
  domain text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (working_dir, domain)
);
create trigger experts_touch before update on experts for each row execute function baton_touch_updated_at();

-- An accepted version: valid YAML within its line limit, checked against `git_commit`. `diff` is against
-- the file as it was before the round (the previous version, or a hand-written file baton had not stored).
create table expertise_versions (
  id uuid primary key default gen_random_uuid(),
  expert_id uuid not null references experts (id) on delete cascade,
  version integer not null,
  content text not null,
  diff text not null,
  line_count integer not null,
  max_lines integer not null,
  claim_count integer not null,
  stale_claim_count integer not null,
  stale_claims jsonb not null default '[]',
  git_commit text not null,
  run_id uuid references agent_runs (id) on delete set null,
  adw_id uuid references adws (id) on delete set null,
  operation text not null check (operation in ('init', 'improve', 'question', 'plan', 'adw_step')),
  created_at timestamptz not null default now(),
  unique (expert_id, version)
);

-- Every run baton made for an expert and how baton judged it: a round that changed nothing, or whose file
-- stayed invalid and was restored, is recorded as much as one that was accepted.
create table expert_rounds (
  id uuid primary key default gen_random_uuid(),
  expert_id uuid not null references experts (id) on delete cascade,
  operation text not null check (operation in ('init', 'improve', 'question', 'plan', 'adw_step')),
  round integer not null,
  outcome text not null check (outcome in ('accepted', 'unchanged', 'rejected', 'failed', 'answered', 'planned')),
  detail text,
  run_id uuid references agent_runs (id) on delete set null,
  adw_id uuid references adws (id) on delete set null,
  version integer,
  follow_ups integer not null default 0,
  created_at timestamptz not null default now()
);
create index expert_rounds_expert on expert_rounds (expert_id, created_at);
