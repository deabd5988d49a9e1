// Hospital broadcasts: the patient's "stop" and notices switch (steps.ts), the choice kept as a
// consent (effects.ts), and the console's composer API (console.ts). The desk and delivery are
// the Broadcasts service and its worker, handed to the console as ConsoleDeps.broadcasts.
import type { Feature } from '../feature.ts';
import { broadcastsConsole } from './console.ts';
import { broadcastsEffects } from './effects.ts';
import { NOTICES_BUTTONS, noticesButton, notices, startNotices, stopNotices } from './steps.ts';

export const broadcastsFeature: Feature = {
  name: 'broadcasts',
  flows: [notices],
  effects: ({ directory }) => broadcastsEffects(directory),
  console: broadcastsConsole,
  menu: { notices: { needsPatient: true, run: startNotices } },
  buttons: { [NOTICES_BUTTONS]: noticesButton },
  text: stopNotices,
};
