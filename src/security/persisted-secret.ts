// Secrets an embedded single instance may make up for itself: the configured value when set
// (required to be shared by every instance behind one load balancer); otherwise one generated
// once and kept in DATA_DIR, so a restart keeps its sessions and can read its own data. Never the
// field key under NODE_ENV=production (config.ts requires it): a key kept next to the data it
// encrypts protects nothing once the disk is copied.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from '@47ng/cloak';

interface SecretKind {
  file: string;
  generate(): string;
  valid(value: string): boolean;
}

export const SESSION_SECRET: SecretKind = {
  file: 'session-secret',
  generate: () => randomBytes(32).toString('base64url'),
  valid: (value) => value.length >= 32,
};

export const FIELD_ENCRYPTION_KEY: SecretKind = {
  file: 'field-encryption-key',
  generate: () => generateKey(),
  valid: (value) => value.startsWith('k1.aesgcm256.'),
};

export async function persistedSecret(
  kind: SecretKind,
  configured: string | undefined,
  dataDir: string,
): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, kind.file);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (kind.valid(existing)) return existing;
  } catch {
    // Not created yet.
  }
  const secret = kind.generate();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
