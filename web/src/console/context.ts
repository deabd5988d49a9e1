// What every console view shares: the signed-in staff member, the API, texts and code labels.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { BroadcastLabels } from '../../../src/features/broadcasts/console.ts';
import type { IntakeLabels } from '../../../src/features/intake/console.ts';
import type { Api } from '../lib/api.ts';
import type { Texts, Translate } from '../lib/i18n.ts';

export type Role = 'nurse' | 'doctor' | 'operator' | 'admin';

export interface Staff {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
}

/** What the console page's server-rendered shell hands the script. */
export interface ConsoleBoot {
  hospitalName: string;
  locale: string;
  locales: { code: string; name: string }[];
  texts: Texts;
}

export interface Session {
  api: Api;
  me: Staff;
  labels: ConsoleLabels;
  t: Translate;
  locale: string;
  boot: ConsoleBoot;
  signOut: () => void;
}

/** The code labels /me sends: every plugin's, merged. */
export type ConsoleLabels = IntakeLabels & BroadcastLabels;

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('no console session');
  return session;
}

export const CLINICAL: Role[] = ['nurse', 'doctor'];
export const MONEY: Role[] = ['operator', 'admin'];
export const ADMIN: Role[] = ['admin'];
/** Who may compose and send broadcasts (the broadcasts plugin's permissions). */
export const BROADCASTS: Role[] = ['operator', 'admin'];

export const can = (me: Staff, roles: Role[]) => me.roles.some((role) => roles.includes(role));

/** Minutes since `iso`, as the inbox shows waiting times. */
export function waited(t: Translate, iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  return minutes < 60
    ? t('waited.minutes', { m: minutes })
    : t('waited.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
}
