/** The HTTP + WebSocket server: build it as a value (createApp) or listen (listen). */
export { createApp, type BatonApp } from './create-app.ts';
export {
  defaultServerLimits,
  type ServerDeps,
  type ServerLimits,
  type SlashCommandInfo,
  type TemplateInfo,
} from './deps.ts';
export { isLoopback, listen, type ListenOptions, type RunningServer } from './listen.ts';
export { loadOrCreateToken, tokenPath } from './security/access-token.ts';
export { hostPolicy, type HostPolicy } from './security/allowed-hosts.ts';
