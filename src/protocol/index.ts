/** The wire contract shared by the server, the CLI and the web UI. Depends only on src/core. */
export * from './query-values.ts';
export * from './rest.ts';
export * from './topics.ts';
export * from './wire-event.ts';
export * from './ws-messages.ts';
