// The web chat: the transcript as it streams in, buttons and links under the assistant's
// messages, and the composer. Follows the conversation's language as the assistant speaks it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatPageText } from '../../../src/channels/web/page.ts';
import { telHref } from './links.ts';

/** A transcript entry as /chat/api/stream sends it. */
export interface ChatEntry {
  id: number;
  from: 'patient' | 'assistant';
  locale?: string;
  message: {
    text: string;
    urgent?: boolean;
    choices?: { label: string; data: string }[];
    links?: { label: string; url: string }[];
    calls?: { label: string; number: string }[];
    /** A picture under the text (a check-in QR code), served by this site. */
    image?: { url: string; alt: string };
    request?: unknown;
  };
}

export interface ChatBoot {
  locale: string;
  chrome: Record<string, ChatPageText>;
}

export function Chat(props: { boot: ChatBoot }) {
  const { chrome } = props.boot;
  const [lang, setLang] = useState(props.boot.locale);
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [status, setStatus] = useState<string>(chrome[props.boot.locale]!.connecting);
  const [draft, setDraft] = useState('');
  const last = useRef(0);
  const langRef = useRef(lang);
  const text = chrome[lang] ?? chrome[props.boot.locale]!;
  const textRef = useRef(text);
  textRef.current = text;
  langRef.current = lang;
  const input = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLElement>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = text.title;
  }, [lang]);

  useEffect(() => {
    const stream = new EventSource(`/chat/api/stream?lang=${encodeURIComponent(props.boot.locale)}`);
    stream.addEventListener('entry', (event: MessageEvent<string>) => {
      const entry = JSON.parse(event.data) as ChatEntry;
      if (entry.id <= last.current) return;
      last.current = entry.id;
      if (entry.from === 'assistant' && entry.locale && chrome[entry.locale]) setLang(entry.locale);
      setEntries((current) => [...current, entry]);
    });
    // The server lost the transcript this page shows (a restart): start over from what it has.
    stream.addEventListener('reset', () => {
      last.current = 0;
      setEntries([]);
    });
    stream.addEventListener('open', () => setStatus(''));
    stream.addEventListener('error', () => setStatus(textRef.current.offline));
    // Too many new chats from this network: the stream stays open and says so.
    stream.addEventListener('refused', (event: MessageEvent<string>) =>
      setStatus((JSON.parse(event.data) as { message: string }).message),
    );
    return () => stream.close();
  }, []);

  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [entries.length]);

  const send = async (body: Record<string, string>) => {
    const response = await fetch('/chat/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: crypto.randomUUID(), lang: langRef.current, ...body }),
    }).catch(() => undefined);
    if (!response?.ok) {
      const refusal =
        response?.status === 429 ? ((await response.json().catch(() => ({}))) as { message?: string }) : {};
      setStatus(refusal.message ?? textRef.current.offline);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const value = draft.trim();
    if (!value) return;
    setDraft('');
    void send({ text: value });
    input.current?.focus();
  };

  return (
    <>
      <header>
        <div class="logo" aria-hidden="true">
          +
        </div>
        <div>
          <h1 id="title">{text.title}</h1>
          <div class="status" id="status" role="status" aria-live="polite">
            {status}
          </div>
        </div>
      </header>
      <main id="log" ref={log} role="log" aria-live="polite" aria-label={text.title}>
        {entries.map((entry) => (
          <Entry key={entry.id} entry={entry} text={text} send={send} />
        ))}
      </main>
      <form id="composer" autocomplete="off" onSubmit={submit}>
        <label class="visually-hidden" for="message" id="message-label">
          {text.placeholder}
        </label>
        <textarea
          id="message"
          ref={input}
          name="message"
          rows={1}
          placeholder={text.placeholder}
          maxLength={2000}
          required
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <button type="submit" id="send">
          {text.send}
        </button>
      </form>
    </>
  );
}

function Entry(props: {
  entry: ChatEntry;
  text: ChatPageText;
  send: (body: Record<string, string>) => Promise<void>;
}) {
  const { entry, text } = props;
  const m = entry.message;
  // The words "you"/"assistant" as they were when the entry arrived.
  const [who] = useState(entry.from === 'patient' ? text.you : text.assistant);
  const [pressed, setPressed] = useState(false);
  const assistant = entry.from === 'assistant';
  const hasActions = assistant && Boolean(m.choices?.length || m.links?.length || m.calls?.length);
  return (
    <div
      class={`entry ${entry.from}${m.urgent ? ' urgent' : ''}`}
      data-id={entry.id}
      role={m.urgent ? 'alert' : undefined}
    >
      <span class="who">{`${who}: `}</span>
      <span class="body">{m.text}</span>
      {m.image && <img class="picture" src={m.image.url} alt={m.image.alt} width={240} height={240} />}
      {hasActions && (
        <div class="actions" role="group">
          {(m.choices ?? []).map((choice, index) => (
            <button
              key={`c${index}`}
              type="button"
              disabled={pressed}
              onClick={() => {
                setPressed(true);
                void props.send({ button: choice.data, label: choice.label });
              }}
            >
              {choice.label}
            </button>
          ))}
          {(m.links ?? []).map((link, index) => (
            <a key={`l${index}`} href={link.url} target="_blank" rel="noopener">
              {link.label}
            </a>
          ))}
          {(m.calls ?? []).map((call, index) => (
            <a key={`t${index}`} class="call" href={telHref(call.number)}>
              {call.label}
            </a>
          ))}
        </div>
      )}
      {assistant && m.request !== undefined && m.request !== null && (
        <div class="hint">{text.shareUnsupported}</div>
      )}
    </div>
  );
}
