// Pieces more than one console view shows.
import type { Translate } from '../../lib/i18n.ts';
import { ADMIN, BROADCASTS, CLINICAL, MONEY, can, useSession } from '../context.ts';
import { QUEUE_CHECK_IN, QUEUE_READ } from './queue-desk.ts';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export type Active = 'inbox' | 'queues' | 'kiosk' | 'payments' | 'broadcasts' | 'audit' | '';

/** An acuity chip: colour and name of the level (data-acuity for tests and styles). */
export function Chip(props: { level: number }) {
  const { t } = useSession();
  return (
    <span class={`chip a${props.level}`} data-acuity={props.level}>
      {`${props.level} · ${t(`acuity.${props.level}`)}`}
    </span>
  );
}

function Header(props: { active: Active }) {
  const { me, t, boot, signOut, locale } = useSession();
  const nav = useRef<HTMLElement>(null);
  // On a phone the tabs are one row that scrolls sideways: the current one is brought into it.
  useEffect(() => {
    const row = nav.current;
    const tab = row?.querySelector('[aria-current="page"]');
    if (!row || !tab) return;
    const shown = row.getBoundingClientRect();
    const at = tab.getBoundingClientRect();
    if (at.right > shown.right) row.scrollLeft += at.right - shown.right + 16;
    else if (at.left < shown.left) row.scrollLeft -= shown.left - at.left + 16;
  }, [props.active]);
  const link = (view: Active, href: string, text: string) => (
    <a href={href} aria-current={props.active === view ? 'page' : undefined}>
      {text}
    </a>
  );
  return (
    <header>
      <div class="brand">
        {t('brand')}
        <small>{boot.hospitalName}</small>
      </div>
      <nav aria-label={t('nav.label')} ref={nav}>
        {can(me, CLINICAL) && link('inbox', '#/', t('nav.inbox'))}
        {can(me, QUEUE_READ) && link('queues', '#/queues', t('nav.queues'))}
        {can(me, QUEUE_CHECK_IN) && link('kiosk', '#/kiosk', t('nav.kiosk'))}
        {can(me, MONEY) && link('payments', '#/payments', t('nav.payments'))}
        {can(me, BROADCASTS) && link('broadcasts', '#/broadcasts', t('nav.broadcasts'))}
        {can(me, ADMIN) && link('audit', '#/audit', t('nav.audit'))}
      </nav>
      <LanguageSelect boot={boot} locale={locale} t={t} />
      <span class="who">{`${me.displayName} · ${me.roles.join(', ')}`}</span>
      <button type="button" onClick={signOut}>
        {t('signOut')}
      </button>
    </header>
  );
}

/** The staff member's console language: kept in a cookie the server reads, then the page reloads. */
export function LanguageSelect(props: {
  boot: { locales: { code: string; name: string }[] };
  locale: string;
  t: Translate;
}) {
  return (
    <label class="lang">
      <span class="visually-hidden">{props.t('language')}</span>
      <select
        aria-label={props.t('language')}
        value={props.locale}
        onChange={(event) => {
          const code = event.currentTarget.value;
          document.cookie = `fd_console_lang=${encodeURIComponent(code)}; path=/console; max-age=31536000; SameSite=Strict`;
          location.reload();
        }}
      >
        {props.boot.locales.map((each) => (
          <option key={each.code} value={each.code}>
            {each.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Page(props: { active: Active; children?: ComponentChildren }) {
  return (
    <>
      <Header active={props.active} />
      <main>{props.children}</main>
    </>
  );
}

/** A date and time in the staff member's language. */
export const when = (locale: string, iso: string | number) => new Date(iso).toLocaleString(locale);
