-- What fencing and attribution need to know about each agent run of an ADW step.

-- The step run (position in the ADW) and attempt a run belongs to: only the step's latest attempt may
-- settle it, and earlier attempts still marked running are fenced (stopped and ended) before a new one starts.
alter table agent_runs add column adw_step_index integer;
alter table agent_runs add column adw_attempt integer;
-- The file-tracking snapshot (a tree in the shadow repository) taken when the run started: what a run
-- that was killed changed can still be computed from it on the same host.
alter table agent_runs add column before_tree text;
create index agent_runs_step_running on agent_runs (adw_id, adw_step_index) where status = 'running';
