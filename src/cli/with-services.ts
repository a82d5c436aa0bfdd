import { loadConfig, type Config } from '../config/index.ts';
import { startServices, type Services } from '../services/services.ts';

/** Runs `work` with baton's services started, and closes them however it ends. */
export async function withServices<T>(
  work: (services: Services) => Promise<T>,
  config: Readonly<Config> = loadConfig(),
): Promise<T> {
  const services = await startServices(config);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}
