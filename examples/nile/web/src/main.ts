import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createNileApi, nileApiKey } from './api/nile-api.ts';
import { useHomeStore } from './stores/home.ts';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.provide(nileApiKey, createNileApi());
app.use(pinia);
app.mount('#app');

/** A read-only look at the home page's stream, for whoever debugs a page (and the browser test). */
const home = useHomeStore(pinia);
Object.defineProperty(window, 'nileDebug', {
  value: Object.freeze({
    status: () => home.status,
    generation: () => home.generation,
    sectionTypes: () => home.sections.map((section) => section.type),
    dropped: () => ({ ...home.dropped }),
  }),
});
