// The web chat page: one self-contained document (no build step), mobile-first, usable with a
// keyboard and a screen reader. Its text comes from locales/ in the patient's language.
import { escapeHtml } from '../../server/html.ts';
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

const STYLE = `
:root{--brand:#0b6e69;--brand-dark:#08524e;--bg:#f3f6f6;--bubble:#fff;--mine:#dff3f1;--text:#1c2526;--muted:#5b6b6c}
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans CJK SC",sans-serif;background:var(--bg);color:var(--text);display:flex;flex-direction:column}
header{background:var(--brand);color:#fff;padding:12px 16px;display:flex;align-items:center;gap:10px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
header .logo{width:32px;height:32px;border-radius:50%;background:#fff;color:var(--brand);display:grid;place-items:center;font-weight:700}
header h1{font-size:17px;margin:0;font-weight:600}
header .status{font-size:12px;opacity:.85}
main{flex:1;overflow-y:auto;padding:16px 12px;display:flex;flex-direction:column;gap:10px;max-width:760px;width:100%;margin:0 auto}
.entry{max-width:85%;padding:10px 12px;border-radius:14px;background:var(--bubble);box-shadow:0 1px 1px rgba(0,0,0,.08);white-space:pre-wrap;overflow-wrap:anywhere}
.entry.patient{align-self:flex-end;background:var(--mine);border-bottom-right-radius:4px}
.entry.assistant{align-self:flex-start;border-bottom-left-radius:4px}
.entry.urgent{background:#fdecea;border:2px solid #b3261e;color:#5c0f0b;font-weight:600}
.who{position:absolute;left:-9999px}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.actions button,.actions a{font:inherit;font-size:15px;border:1px solid var(--brand);color:var(--brand);background:#fff;border-radius:999px;padding:7px 14px;cursor:pointer;text-decoration:none;min-height:40px}
.actions button:hover,.actions a:hover{background:var(--mine)}
.actions button:focus-visible,.actions a:focus-visible,textarea:focus-visible,form button:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.actions button[disabled]{opacity:.5;cursor:default}
.hint{font-size:13px;color:var(--muted);margin-top:6px}
form{display:flex;gap:8px;padding:10px 12px;background:#fff;border-top:1px solid #dde5e5;max-width:760px;width:100%;margin:0 auto}
textarea{flex:1;font:inherit;resize:none;border:1px solid #c5d1d1;border-radius:20px;padding:9px 14px;min-height:42px;max-height:120px}
form button{font:inherit;background:var(--brand);color:#fff;border:0;border-radius:20px;padding:0 18px;min-height:42px;cursor:pointer}
form button:hover{background:var(--brand-dark)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

// Plain browser JavaScript: renders transcript entries, sends text and button presses, and
// follows the live stream (EventSource reconnects by itself, resuming from Last-Event-ID).
const SCRIPT = `
const chrome = JSON.parse(document.getElementById('fd-text').textContent);
let lang = document.documentElement.lang;
let text = chrome[lang];
const log = document.getElementById('log');
const status = document.getElementById('status');
const form = document.getElementById('composer');
const input = document.getElementById('message');
let last = 0;
function speak(locale){
  if(locale===lang||!chrome[locale])return;
  lang=locale; text=chrome[locale]; document.documentElement.lang=locale;
  document.title=text.title; document.getElementById('title').textContent=text.title; log.setAttribute('aria-label',text.title);
  input.placeholder=text.placeholder; document.getElementById('message-label').textContent=text.placeholder;
  document.getElementById('send').textContent=text.send;
}
function el(tag, cls, content){const n=document.createElement(tag);if(cls)n.className=cls;if(content!==undefined)n.textContent=content;return n;}
function render(entry){
  if(entry.id<=last)return; last=entry.id;
  if(entry.from==='assistant'&&entry.locale)speak(entry.locale);
  const box=el('div','entry '+entry.from+(entry.message.urgent?' urgent':'')); box.dataset.id=entry.id;
  if(entry.message.urgent)box.setAttribute('role','alert');
  box.append(el('span','who',(entry.from==='patient'?text.you:text.assistant)+': '));
  box.append(el('span','body',entry.message.text));
  const m=entry.message;
  if(entry.from==='assistant'&&((m.choices&&m.choices.length)||(m.links&&m.links.length)||(m.calls&&m.calls.length))){
    const actions=el('div','actions'); actions.setAttribute('role','group');
    for(const c of m.choices||[]){const b=el('button','',c.label);b.type='button';b.addEventListener('click',()=>{for(const x of actions.querySelectorAll('button'))x.disabled=true;send({button:c.data,label:c.label});});actions.append(b);}
    for(const l of m.links||[]){const a=el('a','',l.label);a.href=l.url;a.target='_blank';a.rel='noopener';actions.append(a);}
    for(const c of m.calls||[]){const a=el('a','call',c.label);a.href='tel:'+c.number.replace(/[^0-9+]/g,'');actions.append(a);}
    box.append(actions);
  }
  if(entry.from==='assistant'&&m.request){box.append(el('div','hint',text.shareUnsupported));}
  log.append(box); box.scrollIntoView({block:'end'});
}
async function send(body){
  const id=crypto.randomUUID();
  const r=await fetch('/chat/api/messages',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({id,lang,...body})});
  if(!r.ok){const b=r.status===429?await r.json().catch(()=>({})):{};status.textContent=b.message||text.offline;}
}
form.addEventListener('submit',(e)=>{e.preventDefault();const v=input.value.trim();if(!v)return;input.value='';send({text:v});input.focus();});
input.addEventListener('keydown',(e)=>{if(e.key==='Enter'&&!e.shiftKey){e.preventDefault();form.requestSubmit();}});
const stream=new EventSource('/chat/api/stream?lang='+encodeURIComponent(lang));
stream.addEventListener('entry',(e)=>render(JSON.parse(e.data)));
// The server lost the transcript this page shows (a restart): start over from what it has.
stream.addEventListener('reset',()=>{log.replaceChildren();last=0;});
stream.addEventListener('open',()=>{status.textContent='';});
stream.addEventListener('error',()=>{status.textContent=text.offline;});
`;

/** The whole page, in the patient's language, with every language's text to follow a switch. */
export function chatPage(locale: Locale, chrome: Record<Locale, ChatPageText>): string {
  const text = chrome[locale];
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#0b6e69">
<title>${escapeHtml(text.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><div class="logo" aria-hidden="true">+</div><div><h1 id="title">${escapeHtml(text.title)}</h1><div class="status" id="status" role="status" aria-live="polite">${escapeHtml(text.connecting)}</div></div></header>
<main id="log" role="log" aria-live="polite" aria-label="${escapeHtml(text.title)}"></main>
<form id="composer" autocomplete="off">
<label class="visually-hidden" for="message" id="message-label">${escapeHtml(text.placeholder)}</label>
<textarea id="message" name="message" rows="1" placeholder="${escapeHtml(text.placeholder)}" maxlength="2000" required></textarea>
<button type="submit" id="send">${escapeHtml(text.send)}</button>
</form>
<script type="application/json" id="fd-text">${JSON.stringify(chrome).replace(/</g, '\\u003c')}</script>
<script type="module">${SCRIPT}</script>
</body>
</html>`;
}

/** The privacy notice page the consent question links to. */
export function privacyPage(locale: Locale, title: string, body: string, version: string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:17px/1.6 system-ui,sans-serif;max-width:680px;margin:0 auto;padding:24px 18px;color:#1c2526}h1{color:#0b6e69}small{color:#5b6b6c}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p><p><small>${escapeHtml(version)}</small></p></body></html>`;
}
