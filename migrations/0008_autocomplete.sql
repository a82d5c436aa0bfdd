-- The autocomplete expert's learning, per working directory: every suggestion the person accepted and every
-- message they sent without taking one (with what was offered), so it survives restarts (the reference kept
-- it in a file that each start reset). The prompt reads a bounded view: the latest rows and aggregates.
create table autocomplete_feedback (
  id uuid primary key default gen_random_uuid(),
  working_dir text not null,
  kind text not null check (kind in ('accepted', 'rejected')),
  -- accepted: the input before the completion; rejected: the message as sent.
  input text not null,
  -- accepted only: the completion taken and the model's reason for it.
  completion text,
  reason text,
  -- rejected only: the completions that were on offer when the message was sent.
  offered jsonb not null default '[]',
  created_at timestamptz not null default now(),
  check ((kind = 'accepted') = (completion is not null))
);
create index autocomplete_feedback_recent on autocomplete_feedback (working_dir, created_at desc, id desc);
