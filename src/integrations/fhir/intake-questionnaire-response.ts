// An intake as a FHIR R4 QuestionnaireResponse, so the hospital system can file it with the
// patient's record: each question with the patient's answer, and the triage result as a group.
// Codes use Frontdoor's own systems (urn:frontdoor:…); texts are English.
import type { IntakeDetail } from '../../domain/intakes.ts';
import type { Answer } from '../../domain/triage.ts';

type Translate = (key: string) => string;

interface Item {
  linkId: string;
  text?: string;
  answer?: Record<string, unknown>[];
  item?: Item[];
}

const coding = (system: string, code: string, display: string) => ({
  valueCoding: { system: `urn:frontdoor:${system}`, code, display },
});

/** "I don't know" leaves the question without an answer, as FHIR expects. */
const yesNo = (answer: Answer | undefined) =>
  answer === 'yes' || answer === 'no' ? [{ valueBoolean: answer === 'yes' }] : undefined;

export function intakeQuestionnaireResponse(intake: IntakeDetail, t: Translate): Record<string, unknown> {
  const { answers } = intake;
  const items: Item[] = [
    {
      linkId: 'complaint',
      text: t('intake.complaint'),
      answer: [coding('complaint', answers.complaint, t(`complaint.${answers.complaint}`))],
    },
  ];
  if (answers.onset) {
    items.push({
      linkId: 'onset',
      text: t('intake.onset'),
      answer:
        answers.onset === 'unknown'
          ? undefined
          : [coding('onset', answers.onset, t(`onset.${answers.onset}`))],
    });
  }
  items.push({
    linkId: 'severity',
    text: t('intake.severity'),
    answer: answers.severity === undefined ? undefined : [{ valueInteger: answers.severity }],
  });
  for (const [id, answer] of Object.entries(answers.redFlags)) {
    items.push({ linkId: `redFlag.${id}`, text: t(`redFlag.${id}`), answer: yesNo(answer) });
  }
  if (answers.pregnant) {
    items.push({ linkId: 'pregnancy', text: t('intake.pregnancy'), answer: yesNo(answers.pregnant) });
  }
  if (answers.temperature !== undefined) {
    items.push({
      linkId: 'temperature',
      text: 'Body temperature',
      answer: [
        {
          valueQuantity: {
            value: answers.temperature,
            unit: '°C',
            system: 'http://unitsofmeasure.org',
            code: 'Cel',
          },
        },
      ],
    });
  }
  if (intake.description) {
    items.push({
      linkId: 'description',
      text: "Patient's own words",
      answer: [{ valueString: intake.description }],
    });
  }
  items.push({
    linkId: 'triage',
    text: 'Triage result (not a diagnosis)',
    item: [
      {
        linkId: 'triage.acuity',
        text: 'Acuity (1 emergency … 5 self-care)',
        answer: [{ valueInteger: intake.acuity }],
      },
      {
        linkId: 'triage.ruleAcuity',
        text: 'Acuity given by the rules',
        answer: [{ valueInteger: intake.triageAcuity }],
      },
      {
        linkId: 'triage.department',
        text: 'Department',
        answer: [coding('department', intake.department, t(`department.${intake.department}`))],
      },
      {
        linkId: 'triage.reviewRequired',
        text: 'Nurse review before booking',
        answer: [{ valueBoolean: intake.reviewRequired }],
      },
      {
        linkId: 'triage.bookingUrgency',
        text: 'Booking urgency',
        answer: [coding('booking-urgency', intake.bookingUrgency, intake.bookingUrgency)],
      },
    ],
  });

  return {
    resourceType: 'QuestionnaireResponse',
    id: intake.id,
    identifier: { system: 'urn:frontdoor:intake', value: intake.id },
    questionnaire: `urn:frontdoor:questionnaire:symptom-intake|${intake.rulesVersion}`,
    status: 'completed',
    subject: { reference: `Patient/${intake.patient.id}`, display: intake.patient.fullName },
    source: { reference: `Patient/${intake.patient.id}` },
    authored: intake.createdAt.toISOString(),
    item: items.map((item) =>
      item.answer === undefined && !item.item ? { linkId: item.linkId, text: item.text } : item,
    ),
  };
}
