// The audit log (admins): the newest hundred rows.
import { useEffect, useState } from 'preact/hooks';
import { DataTable } from '../../lib/components.tsx';
import { useSession } from '../context.ts';
import { Page, when } from './shared.tsx';

interface AuditEntry {
  id: string;
  at: string;
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string;
  ip: string | null;
  /** What the action recorded beyond its subject (an operator's refund reason, say). */
  detail?: Record<string, unknown> | null;
}

const detailText = (detail: AuditEntry['detail']): string =>
  Object.entries(detail ?? {})
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');

export function Audit(props: { onError: (error: unknown) => void }) {
  const { api, t, locale } = useSession();
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  useEffect(() => {
    api
      .get<{ entries: AuditEntry[] }>('/console/api/audit')
      .then((data) => setEntries(data.entries), props.onError);
  }, []);
  if (!entries) return null;
  return (
    <Page active="audit">
      <h1>{t('audit.title')}</h1>
      <p class="muted">{t('audit.intro')}</p>
      <DataTable
        head={[
          { text: t('audit.when') },
          { text: t('audit.who') },
          { text: t('audit.action') },
          { text: t('audit.subject') },
          { text: t('audit.detail') },
          { text: t('audit.from'), narrow: true },
        ]}
        empty=""
      >
        {entries.map((entry, index) => (
          <tr key={index}>
            <td>{when(locale, entry.at)}</td>
            <td>{entry.actorLabel}</td>
            <td>{entry.action}</td>
            <td>{`${entry.subjectType} ${entry.subjectId}`}</td>
            <td>{detailText(entry.detail)}</td>
            <td class="hide-narrow">{entry.ip ?? ''}</td>
          </tr>
        ))}
      </DataTable>
    </Page>
  );
}
