import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createApiClient } from './api/client.ts';
import { apiKey, syncKey } from './live/context.ts';
import { startSync } from './live/sync.ts';
import { useEventsStore } from './stores/events.ts';
import { useLiveStore } from './stores/live.ts';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);

const api = createApiClient();
const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const sync = startSync({ api, socketUrl });
app.provide(apiKey, api);
app.provide(syncKey, sync);
app.mount('#app');

/**
 * A read-only look at the live state for whoever debugs a page (and the browser tests): the window's
 * seqs, the cursor, and the frames ignored. Nothing here changes anything.
 */
const live = useLiveStore(pinia);
const events = useEventsStore(pinia);
Object.defineProperty(window, 'batonDebug', {
  value: Object.freeze({
    connection: () => live.connection,
    cursor: () => live.cursor,
    ignored: () => ({ ...live.ignored }),
    duplicates: () => events.duplicates,
    eventSeqs: () => events.rows.map((event) => event.seq),
    eventIds: () => events.rows.map((event) => event.id),
  }),
});
