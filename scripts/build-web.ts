// Builds the front end (web/) with Vite into web/dist. With --if-stale it does nothing when the
// build is newer than every source file, so `npm start` and the tests build only after a change.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const web = join(import.meta.dirname, '..', 'web');
const manifest = join(web, 'dist', '.vite', 'manifest.json');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when web/dist is missing or older than web/src or the Vite config. */
export function webBuildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(manifest).mtimeMs;
  } catch {
    return true;
  }
  return Math.max(newestSource(join(web, 'src')), statSync(join(web, 'vite.config.ts')).mtimeMs) > built;
}

export async function buildWeb(options: { ifStale?: boolean } = {}): Promise<void> {
  if (options.ifStale && !webBuildIsStale()) return;
  const started = performance.now();
  await build({ configFile: join(web, 'vite.config.ts') });
  console.log(`web front end built into web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.filename === process.argv[1])
  await buildWeb({ ifStale: process.argv.includes('--if-stale') });
