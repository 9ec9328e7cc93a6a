/**
 * A tiny static file server for the built app (the e2e tests): correct MIME types, the app's CSP as a header too, and
 * cross-origin isolation (so the page runs the threaded core, as under `vite preview`).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { isolationHeaders } from '../vite.config.js';

export const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The policy of the page's CSP meta tag (mirrored as a header, so the worker runs under it too). */
export function cspOf(indexHtml: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(indexHtml);
  if (!m) throw new Error('dist/index.html has no Content-Security-Policy meta tag');
  return m[1].replace(/&#39;/g, "'");
}

export interface StaticServer {
  url: string;
  server: Server;
  /** Every request served: [status, path]. */
  log: [number, string][];
  close(): Promise<void>;
}

export async function serveStatic(root: string): Promise<StaticServer> {
  const csp = cspOf(readFileSync(join(root, 'index.html'), 'utf8'));
  const log: [number, string][] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const ok = (file === root || file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile();
    const status = req.method !== 'GET' && req.method !== 'HEAD' ? 405 : ok ? 200 : 404;
    log.push([status, path]);
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(status === 404 ? 'not found' : 'method not allowed');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': body.length,
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      ...isolationHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
