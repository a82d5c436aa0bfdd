import { startFakeModelServer } from './src/testing/fake-model-server/index.ts';
import { adwScript } from './src/demo/adw-script.ts';
import { createSampleRepository } from './src/demo/sample-repo.ts';
const repo = await createSampleRepository('/tmp/clilive-home/try');
const server = await startFakeModelServer({ script: { turns: [
  { name: 'summaries fail', match: { hasTools: false, anyText: { contains: 'log summarizer' } }, error: { status: 529 }, times: 'always' },
  ...adwScript({ verdict: 'PASS', buildDelayMs: 8000, slowBuilds: 99 }) ] } });
console.log(server.url, repo);
setInterval(() => {}, 1000);
