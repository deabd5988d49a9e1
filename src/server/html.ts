// The HTML the server sends: page shells that load the front end Vite built into web/dist
// (scripts and styles as files, named in its manifest), under a strict Content-Security-Policy
// that allows no inline script or style on any page.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// Escaping for the few values our server-rendered pages put into HTML.
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Nothing inline, nothing from elsewhere: a script injected into a page cannot run. */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const webDist = join(import.meta.dirname, '..', '..', 'web', 'dist');
const manifestPath = join(webDist, '.vite', 'manifest.json');

/** The front end's entries (paths inside web/, as the manifest names them). */
export const WEB_ENTRIES = {
  console: 'src/console/main.tsx',
  chat: 'src/chat/main.tsx',
  pages: 'src/pages/pages.css',
  display: 'src/display/main.tsx',
  ticket: 'src/ticket/main.tsx',
} as const;
export type WebEntry = keyof typeof WEB_ENTRIES;

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
}

let cached: { mtimeMs: number; chunks: Record<string, ManifestChunk> } | undefined;

/** Read again when a rebuild replaces it, so a running dev server follows `npm run build:web`. */
function manifest(): Record<string, ManifestChunk> {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(manifestPath).mtimeMs;
  } catch {
    throw new Error(`the web front end is not built (${manifestPath} is missing): run npm run build:web`);
  }
  if (cached?.mtimeMs !== mtimeMs)
    cached = {
      mtimeMs,
      chunks: JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>,
    };
  return cached.chunks;
}

/** The files one entry needs: its script (if it has one) and every stylesheet it imports. */
function assetsOf(entry: WebEntry): { script?: string; styles: string[] } {
  const chunks = manifest();
  const styles = new Set<string>();
  const visit = (key: string) => {
    const chunk = chunks[key];
    if (!chunk) throw new Error(`the web build has no ${key}: run npm run build:web`);
    for (const css of chunk.css ?? []) styles.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
    return chunk;
  };
  const chunk = visit(WEB_ENTRIES[entry]);
  if (chunk.file.endsWith('.css')) return { styles: [chunk.file, ...styles] };
  return { script: chunk.file, styles: [...styles] };
}

export interface PageShell {
  lang: string;
  title: string;
  entry: WebEntry;
  /** Trusted HTML for the body (everything in it escaped by the caller). */
  body: string;
  /** Data for the page's script, as a JSON block (not a script: it never runs). */
  data?: unknown;
  noindex?: boolean;
}

export function htmlPage(page: PageShell): string {
  const { script, styles } = assetsOf(page.entry);
  const data =
    page.data === undefined
      ? ''
      : `<script type="application/json" id="fd-data">${JSON.stringify(page.data).replace(/</g, '\\u003c')}</script>\n`;
  return `<!doctype html>
<html lang="${escapeHtml(page.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#0b6e69">
${page.noindex ? '<meta name="robots" content="noindex">\n' : ''}<title>${escapeHtml(page.title)}</title>
${styles.map((file) => `<link rel="stylesheet" href="/${file}">`).join('\n')}
${script ? `<script type="module" src="/${script}"></script>` : ''}
</head>
<body>
${page.body}
${data}</body>
</html>`;
}

/**
 * Serves the built assets (content-hashed, so cached for good) and puts the strict policy on
 * every HTML response that has not set its own.
 */
export async function registerWebAssets(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: join(webDist, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    wildcard: true,
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (
      typeof type === 'string' &&
      type.startsWith('text/html') &&
      !reply.hasHeader('content-security-policy')
    )
      reply.header('content-security-policy', STRICT_CSP);
    return payload;
  });
}
