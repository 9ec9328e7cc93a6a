import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { MNIST_FILES } from '@scorefield/datasets';
import { defineConfig, type Plugin } from 'vite';
import { idxHead, PAGE_DIGITS, pageMnistFiles } from './src/mnist-subset.js';

/**
 * The Content-Security-Policy: only the app's own resources, plus WebAssembly compilation
 * ('wasm-unsafe-eval'). No inline scripts or styles in the build; the dev server also allows inline styles
 * (Vite injects CSS as <style> during development) and its HMR websocket.
 */
export function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // blob: the core's thread pool starts its workers from a Blob URL of their (import-free) source.
    "worker-src 'self' blob:",
    `style-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "img-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Cross-origin isolation (COOP same-origin, COEP require-corp): what a page needs for SharedArrayBuffer, so that
 * the WASM core can run its threaded build. The dev and preview servers send them; the service worker adds them
 * to the page it serves (a static host may not); the app falls back to one thread where they are missing.
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

function csp(): Plugin {
  let dev = false;
  return {
    name: 'scorefield-csp',
    configResolved(config) {
      dev = config.command === 'serve';
    },
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes('content="__CSP__"'))
          throw new Error('index.html: the Content-Security-Policy placeholder content="__CSP__" is missing');
        return html.replace('content="__CSP__"', `content="${contentSecurityPolicy(dev)}"`);
      },
    },
  };
}

/** Writes dist/sw.js: the service worker template with the list of built files and a content hash as its version. */
function serviceWorker(): Plugin {
  let outDir = '';
  let root = '';
  return {
    name: 'scorefield-service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (!e.name.endsWith('.map') && e.name !== 'sw.js') files.push(relative(outDir, p).split('\\').join('/'));
        }
      };
      walk(outDir);
      files.sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const precache = ['./', ...files.map((f) => `./${f}`)];
      const sw = readFileSync(join(root, 'sw-template.js'), 'utf8')
        .replace('__VERSION__', hash.digest('hex').slice(0, 16))
        .replace('__PRECACHE__', JSON.stringify(precache, null, 2));
      writeFileSync(join(outDir, 'sw.js'), sw);
    },
  };
}

/**
 * The page's MNIST digits (src/mnist-subset.ts): the first PAGE_DIGITS of @scorefield/datasets' train split as two
 * IDX files, emitted into the build (so the service worker precaches them) and served by the dev server.
 */
function mnistSubset(): Plugin {
  const require = createRequire(import.meta.url);
  const files = () => {
    const read = (path: string) => new Uint8Array(readFileSync(require.resolve(`@scorefield/datasets/${path}`)));
    return new Map<string, Uint8Array>([
      [pageMnistFiles.images, idxHead(read(MNIST_FILES.train.images), PAGE_DIGITS)],
      [pageMnistFiles.labels, idxHead(read(MNIST_FILES.train.labels), PAGE_DIGITS)],
    ]);
  };
  return {
    name: 'scorefield-mnist-subset',
    configureServer(server) {
      const served = files();
      server.middlewares.use((req, res, next) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/^\//, '');
        const body = served.get(path);
        if (!body) return next();
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, ...isolationHeaders });
        res.end(body);
      });
    },
    generateBundle() {
      for (const [fileName, source] of files()) this.emitFile({ type: 'asset', fileName, source });
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built app works from any path (a sub-folder, a file server, a static host).
  base: './',
  plugins: [csp(), mnistSubset(), serviceWorker()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    // Never inline the .wasm as a data: URL (the CSP allows only the app's own origin).
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false, headers: isolationHeaders },
  preview: { port: 4173, headers: isolationHeaders },
});
