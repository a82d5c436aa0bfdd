export {
  loadConfig,
  hasModelAccess,
  requireModelAccess,
  dataPaths,
  environmentVariables,
} from './load-config.ts';
export type { Config, ModelCredentials } from './load-config.ts';
export { ensureBatonHome } from './baton-home.ts';
export { defaultMaxAgents } from './default-max-agents.ts';
