// The naive event list bench:ui compares the control room's stream with (npm run bench:ui): what the
// reference UI did. Every event copies the whole list (`[...rows, event]`), Vue re-renders every row
// (no virtualisation, no bound), and each event scrolls to the end. Render functions, not templates:
// the page's Content-Security-Policy allows no eval, so Vue's runtime build, without its compiler.
import { createApp, h, nextTick, ref } from './vue.runtime.esm-browser.prod.js';

const rows = ref([]);
const state = ref('loading');
let cursor = 0;
let following = true;
let scroller;

const App = {
  setup() {
    return () =>
      h('div', { style: 'display:flex;flex-direction:column;height:100vh;font:13px system-ui' }, [
        h('span', { 'data-testid': 'connection', 'data-state': state.value }, state.value),
        h(
          'div',
          {
            id: 'naive',
            'data-testid': 'event-stream',
            style: 'flex:1;overflow-y:auto',
            onScroll: (event) => {
              const element = event.target;
              following = element.scrollTop + element.clientHeight >= element.scrollHeight - 24;
            },
          },
          rows.value.map((event) =>
            h(
              'div',
              {
                key: event.id,
                'data-testid': 'event-row',
                style: 'padding:4px 6px;border-bottom:1px solid #ddd',
              },
              [
                h('strong', event.type),
                ' ',
                h('span', event.summary ?? ''),
                ' ',
                h('time', event.occurredAt),
              ],
            ),
          ),
        ),
      ]);
  },
};
createApp(App).mount('#app');
scroller = () => document.getElementById('naive');

function followEnd() {
  if (!following) return;
  void nextTick(() => {
    const element = scroller();
    if (element) element.scrollTop = element.scrollHeight;
  });
}

async function load() {
  // The newest 10,000, a page of 1,000 at a time (the API's largest), as the reference loaded its list.
  let before = Number.MAX_SAFE_INTEGER;
  let all = [];
  for (let page = 0; page < 10; page += 1) {
    const response = await fetch(`/api/events?limit=1000&beforeSeq=${before}`);
    const body = await response.json();
    all = [...body.events, ...all];
    if (!body.more || body.events.length === 0) break;
    before = body.events[0].seq;
  }
  rows.value = all;
  cursor = all.at(-1)?.seq ?? 0;
  followEnd();
  const socket = new WebSocket(`ws://${location.host}/ws`);
  window.benchStop = () => socket.close();
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === 'connection.opened')
      socket.send(JSON.stringify({ type: 'subscribe', topic: 'all', fromSeq: cursor }));
    else if (frame.type === 'subscription.started') state.value = 'live';
    else if (frame.type === 'event.appended') {
      cursor = Math.max(cursor, frame.event.seq);
      rows.value = [...rows.value, frame.event];
      followEnd();
    }
  };
}

Object.defineProperty(window, 'batonDebug', {
  value: Object.freeze({ cursor: () => cursor, rows: () => rows.value.length }),
});
void load();
