// The scripts many suites walk a patient through before what they test: the usual intake
// answers, and registering, describing a cough and picking a morning time in the web chat page.
// Telegram and LINE patients have the same steps as methods (telegram-patient.ts, line-patient.ts).
import type { Page } from 'playwright-core';
import { newest, says, tap, type } from './web-chat-page.ts';

/** One intake answer: a button (its step and value) or typed text. */
export type IntakeAnswer = { step: string; value: string } | { text: string };

/** Skipping the "in your own words" question at the end of an intake. */
export const SKIP_DESCRIBE: IntakeAnswer = { step: 'describe', value: 'skip' };

/**
 * The answers of an intake with no warning sign: when it began, how bad it is, "no" to each
 * red-flag question (`redFlags` of them: three for most complaints) and, when the complaint
 * asks, not pregnant. What follows (temperature, own words) differs by suite and is added there.
 */
export function calmAnswers(
  onset: string,
  severity: string,
  { redFlags = 3, pregnancy = true }: { redFlags?: number; pregnancy?: boolean } = {},
): IntakeAnswer[] {
  return [
    { step: 'onset', value: onset },
    { step: 'severity', value: severity },
    ...Array.from({ length: redFlags }, () => ({ step: 'redFlag', value: 'no' })),
    ...(pregnancy ? [{ step: 'pregnancy', value: 'no' }] : []),
  ];
}

/** Who registers in a journey, as the patient types it. */
export interface Registration {
  name: string;
  birthDate: string;
  phone: string;
}

/** In the web chat: says hello, agrees to the consent and registers, up to the main menu. */
export async function registerInChat(page: Page, patient: Registration): Promise<void> {
  await type(page, 'hello');
  await tap(page, 'I agree', { buttons: false });
  await says(page, /What is your full name/);
  await type(page, patient.name);
  await type(page, patient.birthDate);
  await type(page, patient.phone);
  await says(page, /What would you like to do\?$/);
}

/**
 * In the web chat: a cough of a few days with no warning sign, from the menu to the triage
 * result (which suggests General medicine).
 */
export async function coughIntakeInChat(page: Page): Promise<void> {
  await tap(page, 'Check my symptoms');
  await tap(page, 'Cough, cold or sore throat');
  await tap(page, '4 to 7 days ago');
  await tap(page, /^2$/);
  await tap(page, /^No$/);
  await tap(page, /^No$/);
  await tap(page, "I don't know");
  await tap(page, 'Skip');
  await says(page, /Suggested department: General medicine\.[\s\S]*What would you like to do\?$/);
}

const MORNING_SLOT = /^08:00 · Dr /;

/**
 * In the web chat's free times: "Next day" `days` times, then on past days without a morning
 * time (the demo hospital is closed on Sundays); returns the label of the first 08:00 button.
 */
export async function nextDayWithMorningSlot(page: Page, days = 1): Promise<string> {
  for (let day = 0; day < days; day += 1) await tap(page, 'Next day');
  while (!(await newest(page).getByRole('button', { name: MORNING_SLOT }).count()))
    await tap(page, 'Next day');
  return (await newest(page).getByRole('button', { name: MORNING_SLOT }).first().textContent()) ?? '';
}
