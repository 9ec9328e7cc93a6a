// Bundles the page (src/page) with Vite (dev server and build), esbuild and webpack 5, each with no configuration
// beyond where the files are, into a folder a static server (or Vite's dev server) serves.
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGE = fileURLToPath(new URL('./page/', import.meta.url));

/** A page being served: its address and how to stop serving it. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

export type Bundler = 'vite-dev' | 'vite-build' | 'esbuild' | 'webpack';
export const bundlers: Bundler[] = ['vite-dev', 'vite-build', 'esbuild', 'webpack'];

/** Copies the page into `<project>/web-<bundler>/src` (so packages resolve from the project's node_modules). */
function placePage(project: string, bundler: Bundler, script: string): string {
  const root = join(project, `web-${bundler}`);
  cpSync(PAGE, join(root, 'src'), { recursive: true });
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" ` +
      `href="data:,"><title>${bundler}</title></head>\n<body>${script}</body></html>\n`,
  );
  return root;
}

/** Bundles the page with `bundler` inside `project` and serves it. */
export async function bundleAndServe(project: string, bundler: Bundler): Promise<Served> {
  if (bundler === 'vite-dev' || bundler === 'vite-build') {
    const root = placePage(project, bundler, '<script type="module" src="/src/index.js"></script>');
    const vite = await import('vite');
    const inline = { root, configFile: false as const, logLevel: 'error' as const };
    if (bundler === 'vite-dev') {
      const server = await vite.createServer({ ...inline, server: { host: '127.0.0.1', port: 0 } });
      await server.listen();
      return { url: server.resolvedUrls!.local[0], close: () => server.close() };
    }
    await vite.build(inline);
    return serveStatic(join(root, 'dist'));
  }
  const root = placePage(project, bundler, '<script src="./main.js"></script>');
  const out = join(root, 'dist');
  mkdirSync(out, { recursive: true });
  copyFileSync(join(root, 'index.html'), join(out, 'index.html'));
  if (bundler === 'esbuild') {
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [join(root, 'src/index.js')],
      bundle: true,
      platform: 'browser',
      outfile: join(out, 'main.js'),
      logLevel: 'error',
    });
  } else {
    const { default: webpack } = await import('webpack');
    // webpack's defaults (entry ./src/index.js, output main.js, production mode), with the folders spelled out.
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
      webpack({ context: root, mode: 'production', output: { path: out } }, (e, s) => (e || !s ? reject(e) : resolve(s))),
    );
    if (stats.hasErrors()) throw new Error(`webpack: ${stats.toString({ all: false, errors: true })}`);
  }
  return serveStatic(out);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** A minimal static server on 127.0.0.1 for a built page. */
export async function serveStatic(root: string): Promise<Served> {
  const server = createHttpServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    try {
      if (!file.startsWith(root + sep)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // the browser keeps its connections alive; close() alone waits for them
        server.close(() => resolve());
      }),
  };
}
