import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

/**
 * What the console may load: its own scripts and styles, nothing from elsewhere. Inline style attributes
 * are allowed because the graph library positions nodes with them; inline scripts are not.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the built governance console at /ui: hashed assets cached for good, and index.html for every
 * other path under /ui, so a shared link to any page opens that page. The console calls /graphql like
 * any client, with the token its user pasted.
 */
export function serveConsole(app: Express, uiDir: string): void {
  const index = path.join(uiDir, 'index.html');
  app.get('/', (_req, res) => res.redirect(302, '/ui/'));
  // Without the slash, the console's relative paths would resolve against /: send the browser to /ui/.
  app.get('/ui', (req, res, next) => (req.originalUrl.startsWith('/ui/') ? next() : res.redirect(301, '/ui/')));
  // The icon the console's pages name, and where browsers look on every other page of the server.
  app.get('/ui/favicon.svg', (_req, res, next) =>
    res.sendFile(
      path.join(uiDir, 'favicon.svg'),
      { maxAge: '1d', headers: { 'x-content-type-options': 'nosniff' } },
      (err) => err && next(),
    ),
  );
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/ui/favicon.svg'));
  app.use('/ui/assets', express.static(path.join(uiDir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  app.get('/ui/{*rest}', (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(404).type('text/plain').send(`The console is not built: run \`npm run build:ui\` (looked in ${uiDir}).\n`);
      return;
    }
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.sendFile(index);
  });
}
