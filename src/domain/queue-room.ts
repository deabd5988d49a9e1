// A queue room or counter's name ("4", "Counter B", "Phòng 12", "ห้อง 3"): what the patient is
// told ("your turn — room 4") and the waiting-room display shows in a tile of fixed width. One
// rule for every way a room is named (the console's board, the hospital API).

/** Visible characters (grapheme clusters) a room name may have: what a display tile holds. */
export const MAX_ROOM_LENGTH = 12;

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
// A letter of any script or a decimal digit with its combining marks (Vietnamese tones, Thai
// vowels), or one of the few separators rooms use. Nothing else: no control, format (zero-width
// space, direction marks) or other invisible characters, no symbols or emoji.
const VISIBLE = /^(?:[\p{L}\p{Nd}]\p{M}*|[ \-./])$/u;

/** The room name as it is kept and shown (trimmed, NFC), or undefined when it is not one. */
export function queueRoom(input: string): string | undefined {
  const name = input.normalize('NFC').trim();
  if (!name) return undefined;
  let length = 0;
  for (const { segment } of segmenter.segment(name)) {
    length += 1;
    if (length > MAX_ROOM_LENGTH || !VISIBLE.test(segment)) return undefined;
  }
  return name;
}

/** Why a room name was refused, for the 400's message. */
export const ROOM_RULE = `a room is 1–${MAX_ROOM_LENGTH} letters, digits, spaces, '-', '.' or '/'`;
