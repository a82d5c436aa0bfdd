import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import { parseRoute, routeHash, type Route } from '../lib/route.ts';

/** The page shown, from the URL's hash (see lib/route.ts); the browser's back and forward work. */
export const useRouteStore = defineStore('nile-route', () => {
  const route = ref<Route>(parseRoute(globalThis.location?.hash ?? ''));

  function sync(): void {
    route.value = parseRoute(globalThis.location?.hash ?? '');
  }

  function go(next: Route): void {
    const hash = routeHash(next);
    if (globalThis.location && globalThis.location.hash !== hash) globalThis.location.hash = hash;
    route.value = next;
  }

  return { route, sync, go };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRouteStore, import.meta.hot));
