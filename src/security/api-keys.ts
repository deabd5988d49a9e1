// API keys for hospital systems and scripts that act without a staff session. A key is 32
// random bytes shown once; only its SHA-256 is stored (a fast hash is enough for a random
// secret of that length: there is nothing to guess). Each key carries a list of scopes, so
// one key can be given more reach later without a new kind of credential.
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * What a key may reach. `fhir`: read the built-in hospital at /fhir/R4. `queues`: the hospital
 * API's queues (/api/v1/queues/{department}: read the board, call the next ticket).
 * `broadcasts`: the hospital API's broadcasts (/api/v1/broadcasts: send a notice to patients,
 * read its delivery report, cancel what was not sent).
 */
export const API_KEY_SCOPES = ['fhir', 'queues', 'broadcasts'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const isApiKeyScope = (value: string): value is ApiKeyScope =>
  (API_KEY_SCOPES as readonly string[]).includes(value);

export interface ApiKeyHolder {
  id: string;
  name: string;
  scopes: string[];
}

const PREFIX = 'fdk_';

/** How finely ApiKey.lastUsedAt is kept. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export class ApiKeys {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Makes a key called `name` and returns it (the only time it exists in clear). A name in use
   * by a live key is refused; a revoked key's name may be given to a new key.
   */
  async add(name: string, scopes: ApiKeyScope[]): Promise<string | undefined> {
    const key = PREFIX + randomBytes(32).toString('base64url');
    const existing = await this.prisma.apiKey.findUnique({ where: { name } });
    if (existing && !existing.revokedAt) return undefined;
    const data = {
      keyHash: hashApiKey(key),
      scopes: [...new Set(scopes)],
      revokedAt: null,
      lastUsedAt: null,
    };
    if (existing) await this.prisma.apiKey.update({ where: { name }, data });
    else await this.prisma.apiKey.create({ data: { name, ...data } });
    return key;
  }

  /** Revokes the live key called `name`; false when there is none. */
  async revoke(name: string): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { name, revokedAt: null },
      data: { revokedAt: new Date(this.clock.now()) },
    });
    return count > 0;
  }

  /**
   * The holder of a live key, or undefined for an unknown or revoked one. Records when the key
   * was last used (so an admin can tell a forgotten key from one in use), at most once a minute:
   * a hospital system polling every second must not turn every read into a write.
   */
  async verify(key: string): Promise<ApiKeyHolder | undefined> {
    if (!key.startsWith(PREFIX)) return undefined;
    const now = new Date(this.clock.now());
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
    if (!row || row.revokedAt) return undefined;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)
      await this.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    return { id: row.id, name: row.name, scopes: row.scopes };
  }
}
