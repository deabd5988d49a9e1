// The audit trail: every staff read of health data and every staff action, with who, what,
// when and from where. Append-only; admins read it in the console.
import type { PrismaClient } from '../generated/prisma/client.ts';

export interface AuditEvent {
  actorId: string | null;
  /** The staff email, or "system" / "api-key:<name>" when no person acted. */
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string;
  ip?: string;
  detail?: Record<string, string | number | boolean>;
}

export interface AuditRow extends AuditEvent {
  id: string;
  at: Date;
}

export class AuditLog {
  constructor(private readonly prisma: PrismaClient) {}

  async record(event: AuditEvent): Promise<void> {
    await this.prisma.auditEntry.create({ data: { ...event, ip: event.ip ?? null } });
  }

  /** Newest first; `before` pages back by id. */
  async list(options: { limit: number; before?: string; subjectId?: string }): Promise<AuditRow[]> {
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        ...(options.before ? { id: { lt: BigInt(options.before) } } : {}),
        ...(options.subjectId ? { subjectId: options.subjectId } : {}),
      },
      orderBy: { id: 'desc' },
      take: options.limit,
    });
    return rows.map((row) => ({
      id: row.id.toString(),
      at: row.at,
      actorId: row.actorId,
      actorLabel: row.actorLabel,
      action: row.action,
      subjectType: row.subjectType,
      subjectId: row.subjectId,
      ip: row.ip ?? undefined,
      detail: (row.detail ?? undefined) as AuditEvent['detail'],
    }));
  }
}
