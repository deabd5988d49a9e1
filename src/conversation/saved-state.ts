// The state a step starts from: the saved one, migrated when an older flow version wrote it,
// or a new conversation (a first contact, or a state no migration leads from) in the
// patient's language as best known.
import type { Logger } from 'pino';
import type { KnownPatient } from '../domain/patients.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../i18n/locales.ts';
import type { ConversationState, FlowRegistry, FlowSettings } from './flow.ts';
import type { ConversationAddress } from './message.ts';

export interface SavedStateOptions {
  flows: FlowRegistry;
  settings: FlowSettings;
  logger: Logger;
  findPatient(address: ConversationAddress): Promise<KnownPatient | undefined>;
  lookupLocale?: (address: ConversationAddress) => Promise<Locale | undefined>;
}

export async function currentState(
  saved: string | undefined,
  address: ConversationAddress,
  platformLocale: Locale | undefined,
  options: SavedStateOptions,
): Promise<ConversationState> {
  const { flows, logger } = options;
  let state = saved ? (JSON.parse(saved) as ConversationState) : undefined;
  if (state && state.version < flows.version) {
    const migrated = flows.migrate?.(state);
    if (migrated) {
      logger.info({ from: state.version, to: migrated.version }, 'conversation state migrated');
      state = migrated;
    }
  }
  if (state && state.version === flows.version) return state;

  const patient = await options.findPatient(address);
  const previousLocale = state && isLocale(state.locale) ? state.locale : undefined;
  const locale = previousLocale ?? platformLocale ?? (await lookupLocale(address, options)) ?? DEFAULT_LOCALE;
  if (state)
    logger.info({ from: state.version, to: flows.version }, 'conversation restarted on a new flow version');
  const consented = state?.consented ?? patient?.consented ?? false;
  return {
    ...flows.start(address, locale, patient, state ? 'upgraded' : 'new', options.settings),
    consented,
  };
}

/** Asks the channel for the user's language; a channel that fails to say is no reason to stop. */
async function lookupLocale(
  address: ConversationAddress,
  options: SavedStateOptions,
): Promise<Locale | undefined> {
  try {
    return await options.lookupLocale?.(address);
  } catch (error) {
    options.logger.warn({ err: error, channel: address.channel }, 'could not look up the user language');
    return undefined;
  }
}
