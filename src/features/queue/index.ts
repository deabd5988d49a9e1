// Check-in and the queue, the patient's side: "Check in / my ticket", the check-in code of a
// booked appointment, the ticket in the chat and the news as the queue moves. The desk itself
// (numbers, order, calling) is the QueueDesk port, handed over as a service.
import type { Feature } from '../feature.ts';
import { queueConsole } from './console.ts';
import { queueEffects } from './effects.ts';
import {
  ahead,
  called,
  issued,
  missed,
  queueButton,
  queue,
  refused,
  shown,
  startQueue,
  today,
  transferred,
} from './steps.ts';

export const queueFeature: Feature = {
  name: 'queue',
  flows: [queue],
  effects: ({ queue: desk, booking }) => queueEffects(desk, booking),
  console: queueConsole,
  menu: { queue: { needsPatient: true, run: startQueue } },
  buttons: { queue: queueButton },
  events: {
    'queue.today': today,
    'queue.shown': shown,
    'queue.ticket': issued,
    'queue.refused': refused,
    'queue.ahead': ahead,
    'queue.called': called,
    'queue.missed': missed,
    'queue.transferred': transferred,
  },
};
