export * from './errors.ts';
export * from './events.ts';
export * from './ids.ts';
export * from './limits.ts';
export * from './plural.ts';
export * from './statuses.ts';
export * from './usage.ts';
