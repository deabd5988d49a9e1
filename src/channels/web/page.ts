// The web chat page: a shell in the patient's language that loads the built front end
// (web/src/chat), mobile-first, usable with a keyboard and a screen reader. Its text comes from
// locales/ in every language, so the page can follow a switch of the conversation's language.
import { escapeHtml, htmlPage } from '../../server/html.ts';
import type { Locale } from '../../i18n/locales.ts';

export interface ChatPageText {
  title: string;
  placeholder: string;
  send: string;
  connecting: string;
  offline: string;
  you: string;
  assistant: string;
  shareUnsupported: string;
}

/** The whole page, in the patient's language, with every language's text to follow a switch. */
export function chatPage(locale: Locale, chrome: Record<Locale, ChatPageText>): string {
  const text = chrome[locale];
  // What shows before the script runs; the script renders the same, live.
  const shell = `<div id="chat"><header><div class="logo" aria-hidden="true">+</div><div><h1 id="title">${escapeHtml(text.title)}</h1><div class="status" id="status" role="status" aria-live="polite">${escapeHtml(text.connecting)}</div></div></header>
<main id="log" role="log" aria-live="polite" aria-label="${escapeHtml(text.title)}"></main>
<form id="composer" autocomplete="off">
<label class="visually-hidden" for="message" id="message-label">${escapeHtml(text.placeholder)}</label>
<textarea id="message" name="message" rows="1" placeholder="${escapeHtml(text.placeholder)}" maxlength="2000" required></textarea>
<button type="submit" id="send">${escapeHtml(text.send)}</button>
</form></div>`;
  return htmlPage({ lang: locale, title: text.title, entry: 'chat', body: shell, data: { locale, chrome } });
}

/** The privacy notice page the consent question links to. */
export function privacyPage(locale: Locale, title: string, body: string, version: string): string {
  return htmlPage({
    lang: locale,
    title,
    entry: 'pages',
    body: `<div class="simple-page"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p><p><small>${escapeHtml(version)}</small></p></div>`,
  });
}
