// What an intake page shows, as the API sends it, and the sentences its history is told in.
import type { Translate } from '../../lib/i18n.ts';
import type { IntakeLabels } from '../../../../src/features/intake/console.ts';
import { when } from './shared.tsx';

export interface Action {
  at: string;
  kind: 'acuity' | 'route' | 'message' | 'close' | 'approve' | 'reply';
  staff: string;
  detail: Record<string, string | number>;
}

export interface Detail {
  id: string;
  createdAt: string;
  acuity: number;
  triageAcuity: number;
  department: string;
  status: 'new' | 'reviewed' | 'closed';
  reviewRequired: boolean;
  locale: string;
  redFlags: string[];
  typedRedFlags: { phrase: string }[];
  reasons: string[];
  description?: string;
  answers: {
    complaint: string;
    onset?: string;
    severity?: number;
    pregnant?: 'yes' | 'no' | 'unknown';
    temperature?: number;
    age?: number;
    /** An emergency stopped the questions here: later ones were never asked. */
    stoppedAt?: number;
  };
  patient: { fullName: string; birthDate: string; phone: string };
  address: { channel: string };
  actions: Action[];
}

export interface Loaded {
  intake: Detail;
  excerpt: { question: string; answer: string }[];
  pendingAppointments: { id: string; when: string; department: string | null; doctor: string | null }[];
}

/** The triage reason codes, as the console says them. */
export function reasonText(t: Translate, labels: IntakeLabels, reason: string): string {
  if (reason.startsWith('typed:')) return t('reason.typed', { phrase: reason.slice(6) });
  if (reason.startsWith('redFlag:'))
    return t('reason.redFlag', { flag: labels.redFlag[reason.slice(8)] ?? reason });
  const key = `reason.${reason.replace(/:(\w)/, (_whole, first: string) => first.toUpperCase())}`;
  const text = t(key);
  return text === key ? reason : text;
}

export function actionText(t: Translate, labels: IntakeLabels, locale: string, action: Action): string {
  const detail = action.detail;
  const s = (key: string) => String(detail[key] ?? '');
  switch (action.kind) {
    case 'acuity':
      return (
        t('action.acuity', { level: s('acuity'), name: t(`acuity.${s('acuity')}`) }) +
        (detail.reason ? t('action.acuityReason', { reason: s('reason') }) : '')
      );
    case 'route':
      return t('action.route', { department: labels.department[s('department')] ?? s('department') });
    case 'message':
      return detail.template
        ? t('action.template', { template: labels.templates[s('template')] ?? s('template') })
        : t('action.message', { text: s('text') });
    case 'close':
      return t('action.close');
    case 'approve':
      return t('action.approve', { when: when(locale, s('start')) });
    case 'reply':
      return detail.phrase
        ? t('action.replyPhrase', { phrase: s('phrase'), text: s('text') })
        : t('action.reply', { text: s('text') });
  }
}
