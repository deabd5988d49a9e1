// Saved states of older versions, brought up to date: conversations in the middle of booking
// carry on after an upgrade instead of starting over.
import type { ConversationState, StateMigration } from '../../conversation/flow.ts';

/** Version 1 kept the hospital's lists as JSON strings in the draft. */
const LIST_FIELDS = ['doctors', 'slots', 'pages', 'slot', 'appointments'] as const;

const listsOutOfDraft: StateMigration = (state: ConversationState) => {
  const draft = { ...state.draft };
  const lists: Record<string, unknown> = {};
  // Version 1 wrote each field with JSON.stringify of booking's own types (BookingState).
  for (const field of LIST_FIELDS) {
    const raw = draft[field];
    delete draft[field];
    // An empty string was version 1's "none".
    if (raw) lists[field] = JSON.parse(raw) as unknown;
  }
  if (Object.keys(lists).length === 0) return { ...state, draft };
  return { ...state, draft, booking: lists };
};

export const bookingMigrations: Record<number, StateMigration> = { 2: listsOutOfDraft };
