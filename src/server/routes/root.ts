import type { Router } from '../route.ts';

const page = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>baton</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>baton</h1>
<p>The server is up. The API is under <a href="/api/openapi.json">/api</a>; live events on the WebSocket <code>/ws</code>.</p>
</body></html>`;

/** The page the printed URL opens (the web UI takes its place later). */
export function rootRoutes(router: Router): void {
  router.add({
    method: 'GET',
    url: '/',
    summary: 'The start page.',
    handler: async (_input, _request, reply) => reply.type('text/html; charset=utf-8').send(page),
  });
}
