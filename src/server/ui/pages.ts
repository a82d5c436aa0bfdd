/** The two pages the server writes itself (the UI is the built SPA). */

const style =
  'font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5';

/** For a browser without the access token (or with a wrong one): how to get the URL that carries it. */
export const howToOpenPage = `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>baton: open the URL with its token</title>
<body style="${style}">
<h1>baton needs its access token</h1>
<p>This page was opened without baton's access token, or with a wrong one, so baton shows nothing here.</p>
<ol>
<li>Run <code>baton up</code> in your project (or look at the terminal where it runs).</li>
<li>Open the URL it prints: <code>http://127.0.0.1:PORT/?token=…</code>. The browser keeps the token as a cookie, so later visits need only <code>http://127.0.0.1:PORT/</code>.</li>
</ol>
<p>The token is also in <code>BATON_HOME/server-token</code> (readable by you only).</p>
</body></html>`;

/** `/` when the UI was not built (a checkout without `npm ci`). */
export const notBuiltPage = `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>baton</title>
<body style="${style}">
<h1>baton</h1>
<p>The server is up, but its web UI is not built: run <code>npm run build:web</code> (or <code>npm ci</code>) and reload.</p>
<p>The API is under <a href="/api/openapi.json">/api</a>; live events on the WebSocket <code>/ws</code>.</p>
</body></html>`;
