// Renders the triage table as a Markdown document for clinical review (docs/triage.md), from
// the same data the intake runs on, with the English texts of every question.
import {
  ACUITY_LEVELS,
  COMPLAINTS,
  DISPOSITIONS,
  FEVER_FROM,
  HIGH_FEVER_FROM,
  HYPOTHERMIA_BELOW,
  MODERATE_FROM,
  PREGNANCY_AGES,
  SEVERE_FROM,
  TRIAGE_RULES_VERSION,
} from './triage.ts';

type Texts = (key: string) => string;

export function renderTriageDocument(t: Texts): string {
  const lines = [
    '# Triage rules',
    '',
    `Rules version \`${TRIAGE_RULES_VERSION}\` (stored with every intake). Generated from`,
    '`src/domain/triage.ts` and `locales/en/triage.json` by `npm run flows:diagram`; a test fails',
    'when this file is out of date. Acuity: 1 emergency, 2 very urgent, 3 urgent, 4 standard,',
    '5 self-care. The result is never a diagnosis; it decides how soon a nurse must look.',
    '',
    '## Complaints',
    '',
    '| complaint | department | base level | red-flag questions (level if "yes") | pregnancy | temperature | older patients one level sooner from |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const rule of COMPLAINTS) {
    const flags = rule.redFlags.map((flag) => `${t(`redFlag.${flag.id}`)} → **${flag.acuity}**`).join('<br>');
    lines.push(
      `| ${t(`complaint.${rule.id}`)} | ${t(`department.${rule.department}`)} | ${rule.baseAcuity} | ${flags || '–'} | ${rule.asksPregnancy ? 'asked' : '–'} | ${rule.asksTemperature ? 'asked' : '–'} | ${rule.olderFromAge ?? '–'} |`,
    );
  }
  lines.push(
    '',
    '## Rules that raise the level (the most urgent wins)',
    '',
    `- A red-flag question answered "yes": its level. A level-1 flag stops the questions at once and gives the emergency number.`,
    `- Severity ${SEVERE_FROM}-10: level 3 at least; ${MODERATE_FROM}-${SEVERE_FROM - 1}: level 4 at least.`,
    `- Temperature ≥ ${HIGH_FEVER_FROM} °C or < ${HYPOTHERMIA_BELOW} °C: level 2; ≥ ${FEVER_FROM} °C: level 3.`,
    '- Could be pregnant, with abdominal pain: level 2, department Obstetrics; with another complaint: level 3.',
    `- Pregnancy is asked from ${PREGNANCY_AGES.from} to ${PREGNANCY_AGES.to} years (and when the age is unknown).`,
    '- Older patients (per complaint, above): one level sooner than the rules above give.',
    '- "I don\'t know" never raises the level; the nurse sees it as an open answer.',
    '- Level 1 always routes to the Emergency department.',
    '- An emergency phrase typed in the chat (src/domain/red-flags.ts, reviewed against NHS "When to call 999", AHA heart attack and stroke warning signs (F.A.S.T.) and WHO basic emergency care) means level 1: during an intake it stops the questions and stores the intake; on a nurse\'s thread it raises that intake.',
    '',
    '## What follows each level',
    '',
    '| level | nurse review before booking | review within | booking must be |',
    '|---|---|---|---|',
  );
  for (const level of ACUITY_LEVELS) {
    const disposition = DISPOSITIONS[level];
    const within = disposition.reviewWithinMinutes === null ? '–' : `${disposition.reviewWithinMinutes} min`;
    lines.push(
      `| ${level} | ${disposition.reviewRequired ? 'yes' : 'no'} | ${within} | ${disposition.bookingUrgency} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
