// The built-in hospital's FHIR repository: medplum's MemoryRepository does the searching (its
// FHIRPath indexing is what makes it a real FHIR server), and every create, update and delete
// goes to the HospitalResource table first, so the hospital survives a restart. The table is
// also the judge of If-Match: an update is written only if the stored version is still the one
// the writer read, so of two writers — in this process or on another instance sharing the
// database — exactly one wins. `sync` picks up what other instances wrote since the last look.
// The stored content is sealed with the field cipher (patients' names, phones and birth dates
// are health data at rest); only what sync and ordering need — type, id, version, seq, times —
// stays in clear. Rows an older version wrote in clear are read and sealed in place on open.
import { randomUUID } from 'node:crypto';
import { OperationOutcomeError, notFound, preconditionFailed } from '@medplum/core';
import { MemoryRepository, type UpdateResourceOptions } from '@medplum/fhir-router';
import type { Resource } from '@medplum/fhirtypes';
import type pg from 'pg';

type WithId<T> = T & { id: string };

/** Seals and opens stored content (the field cipher). */
export interface ContentSealer {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

interface Row {
  resourceType: string;
  id: string;
  versionId: string;
  /** A sealed JSON string; a plain resource object in rows written before sealing. */
  content: string | Resource;
  deleted: boolean;
  seq: string;
}

export class PersistentRepository extends MemoryRepository {
  /** The highest `seq` this process has seen. */
  private seen = 0n;
  /**
   * The oldest transaction still running at the last look (its snapshot's xmin, xid8 as text):
   * every transaction before it had finished, so all it wrote was seen then.
   */
  private horizon = '0';

  /** Where reads and writes go: the pool, or the seeding transaction's connection. */
  private db: pg.Pool | pg.PoolClient;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly sealer: ContentSealer,
  ) {
    super();
    this.db = pool;
  }

  /**
   * Runs `work` in one transaction holding the hospital's seeding lock (pg_advisory_xact_lock),
   * every read and write of this repository going through that transaction's connection (the
   * embedded database has only one). Two processes opening an empty hospital at once seed it
   * once: the second waits, then finds the first one's rows; and a seed cut short leaves
   * nothing half-made. Only while nothing else uses this repository (while opening).
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    this.db = client;
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('frontdoor.demo-hospital.seed'))`);
      // What the holder before us committed.
      await this.sync();
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.db = this.pool;
      client.release();
    }
  }

  /** Loads every stored resource into the in-memory index, sealing rows still in clear. */
  static async open(pool: pg.Pool, sealer: ContentSealer): Promise<PersistentRepository> {
    const repo = new PersistentRepository(pool, sealer);
    await repo.sync();
    return repo;
  }

  /** The content column's value for a resource: its JSON, sealed (a JSON string in jsonb). */
  private seal(resource: Resource): string {
    return JSON.stringify(this.sealer.encrypt(JSON.stringify(resource)));
  }

  /** True when the table holds nothing yet (a hospital never seeded). */
  get empty(): boolean {
    return this.seen === 0n;
  }

  /**
   * Applies the rows written since the last look (by any instance) to the in-memory index. A
   * seq is taken when a write starts, so a transaction may commit a lower seq after another's
   * higher one was seen: rows by transactions still running at the last look are read again,
   * besides those above the highest seq seen (re-applying one is harmless).
   */
  async sync(): Promise<void> {
    const { rows } = await this.db.query<Row & { horizon: string }>(
      `WITH snapshot AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon)
       SELECT r."resourceType", r."id", r."versionId", r."content", r."deleted", r."seq"::text AS "seq", snapshot.horizon
       FROM snapshot LEFT JOIN "HospitalResource" r ON r."seq" > $1 OR r."xid" >= $2::text::xid8
       ORDER BY r."seq"`,
      [this.seen.toString(), this.horizon],
    );
    if (rows[0]) this.horizon = rows[0].horizon;
    const inClear: { resourceType: string; id: string; versionId: string; content: string }[] = [];
    for (const row of rows) {
      if (row.seq === null) continue;
      const { resourceType, id, versionId, content } = row;
      // Tombstones keep their content too, so they are sealed like the rest.
      if (typeof content !== 'string')
        inClear.push({ resourceType, id, versionId, content: this.sealer.encrypt(JSON.stringify(content)) });
      if (row.deleted) await super.deleteResource(resourceType, id).catch(() => undefined);
      else
        await super.createResource(
          typeof content === 'string' ? (JSON.parse(this.sealer.decrypt(content)) as Resource) : content,
        );
      const seq = BigInt(row.seq);
      if (seq > this.seen) this.seen = seq;
    }
    if (inClear.length > 0) {
      // Sealed in place, same version and seq: the resource has not changed, so no instance
      // needs to see it again; a writer that got there first keeps its write (versionId).
      await this.db.query(
        `UPDATE "HospitalResource" AS h SET "content" = r->'content'
         FROM jsonb_array_elements($1::jsonb) AS r
         WHERE h."resourceType" = r->>'resourceType' AND h."id" = r->>'id'
           AND h."versionId" = r->>'versionId' AND jsonb_typeof(h."content") = 'object'`,
        [JSON.stringify(inClear)],
      );
    }
  }

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    const stamped = stamp(resource, resource.id ?? this.generateId());
    await this.db.query(
      `INSERT INTO "HospitalResource" ("resourceType", "id", "versionId", "content")
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ("resourceType", "id") DO UPDATE SET "versionId" = EXCLUDED."versionId",
         "content" = EXCLUDED."content", "deleted" = false, "updatedAt" = now(), "xid" = pg_current_xact_id(),
         "seq" = nextval(pg_get_serial_sequence('"HospitalResource"', 'seq'))`,
      [stamped.resourceType, stamped.id, stamped.meta.versionId, this.seal(stamped)],
    );
    return super.createResource(stamped);
  }

  /** Creates many new resources in one statement (seeding thousands of slots). */
  async createMany<T extends Resource>(resources: T[]): Promise<void> {
    if (resources.length === 0) return;
    const stamped = resources.map((resource) => stamp(resource, resource.id ?? this.generateId()));
    await this.db.query(
      `INSERT INTO "HospitalResource" ("resourceType", "id", "versionId", "content")
       SELECT r->>'resourceType', r->>'id', r->>'versionId', r->'content'
       FROM jsonb_array_elements($1::jsonb) AS r`,
      [
        JSON.stringify(
          stamped.map((resource) => ({
            resourceType: resource.resourceType,
            id: resource.id,
            versionId: resource.meta.versionId,
            content: this.sealer.encrypt(JSON.stringify(resource)),
          })),
        ),
      ],
    );
    for (const resource of stamped) await super.createResource(resource);
  }

  override async updateResource<T extends Resource>(
    resource: T,
    options?: UpdateResourceOptions,
  ): Promise<WithId<T>> {
    if (!resource.id) return super.updateResource(resource, options);
    const current = await this.readResource(resource.resourceType, resource.id).catch(() => undefined);
    if (options?.ifMatch) {
      if (!current) throw new OperationOutcomeError(notFound);
      if (current.meta?.versionId !== options.ifMatch) throw new OperationOutcomeError(preconditionFailed);
    }
    if (!current) return this.createResource(resource);
    const stamped = stamp(resource, resource.id);
    const { rowCount } = await this.db.query(
      `UPDATE "HospitalResource" SET "versionId" = $4, "content" = $5, "deleted" = false,
         "updatedAt" = now(), "xid" = pg_current_xact_id(), "seq" = nextval(pg_get_serial_sequence('"HospitalResource"', 'seq'))
       WHERE "resourceType" = $1 AND "id" = $2 AND "versionId" = $3`,
      [
        stamped.resourceType,
        stamped.id,
        current.meta?.versionId ?? '',
        stamped.meta.versionId,
        this.seal(stamped),
      ],
    );
    if (!rowCount) {
      // Someone else wrote it first (another request here, or another instance): learn what
      // they wrote, and let this writer read again.
      await this.sync();
      throw new OperationOutcomeError(preconditionFailed);
    }
    return super.createResource(stamped);
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await this.readResource(resourceType, id);
    await this.db.query(
      `UPDATE "HospitalResource" SET "deleted" = true, "updatedAt" = now(), "xid" = pg_current_xact_id(),
         "seq" = nextval(pg_get_serial_sequence('"HospitalResource"', 'seq'))
       WHERE "resourceType" = $1 AND "id" = $2`,
      [resourceType, id],
    );
    await super.deleteResource(resourceType, id);
  }
}

/** The resource as stored: its id, a new version and the time of this write. */
function stamp<T extends Resource>(
  resource: T,
  id: string,
): T & { id: string; meta: { versionId: string; lastUpdated: string } } {
  const copy = structuredClone(resource);
  return {
    ...copy,
    id,
    meta: { ...copy.meta, versionId: randomUUID(), lastUpdated: new Date().toISOString() },
  };
}
