import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from '../api/client.ts';
import type { Sync } from './sync.ts';

/** What main.ts provides to the components: the REST client and the live sync's actions. */
export const apiKey: InjectionKey<ApiClient> = Symbol('api');
export const syncKey: InjectionKey<Sync> = Symbol('sync');

function required<T>(key: InjectionKey<T>, name: string): T {
  const value = inject(key);
  if (!value) throw new Error(`${name} is not provided (see main.ts)`);
  return value;
}

export const useApi = () => required(apiKey, 'the API client');
export const useSync = () => required(syncKey, 'the live sync');
