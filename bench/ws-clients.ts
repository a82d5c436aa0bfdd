/**
 * The WebSocket clients of bench:server, in a process of their own so that parsing what they receive
 * does not compete with the server's event loop. Driven over IPC by bench/server.ts.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

interface Start {
  type: 'start';
  origin: string;
  token: string;
  readers: number;
  stalled: boolean;
  fromSeq: number;
  /** Latencies of events written before this time (epoch ms) are warm-up, not counted. */
  measureFrom: number;
}

const now = () => performance.timeOrigin + performance.now();
let latencies: number[] = [];
let delivered = 0;
let resyncs = 0;
let sockets: WebSocket[] = [];
let measureFrom = Infinity;

function open(message: Start, reads: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${message.origin.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${message.token}` },
    });
    socket.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"type":"event.appended"')) {
        delivered += 1;
        const t = /"t":([0-9.]+)/.exec(text);
        if (t && Number(t[1]) >= measureFrom) latencies.push(now() - Number(t[1]));
      } else if (text.includes('"type":"resync"')) resyncs += 1;
      else if (text.includes('"type":"subscription.started"')) resolve(socket);
    });
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe', topic: 'all', fromSeq: message.fromSeq }));
      if (!reads) {
        socket.pause();
        resolve(socket);
      }
    });
    socket.once('error', reject);
  });
}

process.on('message', async (message: Start | { type: 'report' } | { type: 'stop' }) => {
  if (message.type === 'start') {
    latencies = [];
    delivered = 0;
    resyncs = 0;
    measureFrom = message.measureFrom;
    sockets = await Promise.all(Array.from({ length: message.readers }, () => open(message, true)));
    if (message.stalled) sockets.push(await open(message, false));
    process.send!({ type: 'ready' });
  } else if (message.type === 'report') {
    process.send!({ type: 'report', delivered, resyncs, latencies });
  } else {
    for (const socket of sockets) socket.terminate();
    sockets = [];
    process.send!({ type: 'stopped' });
  }
});
