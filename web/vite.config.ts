// The front end's build: one entry per page family, hashed files and a manifest the server reads
// to link them (src/server/html.ts). JSX compiles to Preact's automatic runtime.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Loaded by the server's pages, never from an index.html of Vite's.
  appType: 'custom',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // Every asset a file: the pages' policy allows no data: script or style.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        console: 'src/console/main.tsx',
        chat: 'src/chat/main.tsx',
        pages: 'src/pages/pages.css',
        display: 'src/display/main.tsx',
        ticket: 'src/ticket/main.tsx',
      },
    },
  },
});
