// What text from outside may look like once it is ours. Free text (what a patient types, a
// nurse's message) is cleaned, never refused, so a stray control character cannot lock a
// patient out of a conversation; identifiers are refused instead, because a cleaned id would
// name someone else. PostgreSQL cannot store NUL, and lone surrogates are not valid UTF-8, so
// neither may reach storage, a queue or the conversation.

// C0 and C1 controls and DEL, except tab and newline; CR is handled below.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Lone halves of a surrogate pair (a pair together is one astral character and stays).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** `text` in Unicode NFC, line breaks as \n, without control characters or lone surrogates. */
export function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(LONE_SURROGATES, '\uFFFD')
    .replace(CONTROLS, '')
    .normalize('NFC');
}

/** A platform or client identifier we can store and key on: printable ASCII, no spaces. */
const ID = /^[\x21-\x7E]+$/;

/** Whether `value` is usable as an identifier of at most `max` characters. */
export function isSafeId(value: string, max = 128): boolean {
  return value.length <= max && ID.test(value);
}

/** A short single-line value (an email, an audit subject): no controls, no lone surrogates. */
export function isSafeLine(value: string): boolean {
  return !LONE_SURROGATE.test(value) && !/\p{Cc}/u.test(value);
}
