/**
 * The ADW demo's fake model in a process of its own, for bench:adw: its CPU then counts in neither arm
 * (this process is reaped only when the bench ends). Prints its URL, then serves until stdin closes.
 */
import { adwScript } from '../src/demo/adw-script.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';

const server = await startFakeModelServer({ script: adwScript({ verdict: 'FAIL' }) });
console.log(server.url);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
