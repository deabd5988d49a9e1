// The features this Frontdoor runs, in the order their reactions are tried (the first contact's
// feature first). A new feature is a folder under src/features/ and one line here.
import { bookingFeature } from './booking/index.ts';
import { broadcastsFeature } from './broadcasts/index.ts';
import type { Feature, FeatureServices } from './feature.ts';
import { intakeFeature } from './intake/index.ts';
import { onboardingFeature } from './onboarding/index.ts';
import { paymentsFeature } from './payments/index.ts';
import { queueFeature } from './queue/index.ts';
import { createFlowRegistry } from './registry.ts';

export const features: Feature[] = [
  onboardingFeature,
  // Before the others' text: "stop" opts out of notices even while a nurse thread is open.
  broadcastsFeature,
  intakeFeature,
  bookingFeature,
  paymentsFeature,
  queueFeature,
];

/** Every feature's steps and reactions, as the engine steps them. */
export const flowRegistry = createFlowRegistry(features);

/** Every feature's effect handlers, for the engine. */
export const effectHandlers = (services: FeatureServices) =>
  features.flatMap((feature) => (feature.effects ? [feature.effects(services)] : []));

export { CONSENT_TEXT_VERSION } from './onboarding/steps.ts';
