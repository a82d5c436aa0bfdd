import { loadConfig, type Config } from '../config/index.ts';
import type { Services } from '../services/services.ts';

/** Runs `work` with baton's services started, and closes them however it ends. */
export async function withServices<T>(
  work: (services: Services) => Promise<T>,
  config: Readonly<Config> = loadConfig(),
): Promise<T> {
  // Imported here, not above: the services bring pg-boss and the Agent SDK, which a command that only
  // parses its arguments, prints help or reads the ledger does not need.
  const { startServices } = await import('../services/services.ts');
  const services = await startServices(config);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}
