// The triage table, rule by rule: every complaint's base level, every red flag, and each rule
// that raises the level (severity, temperature, pregnancy, age).
import { describe, expect, it } from 'vitest';
import {
  COMPLAINTS,
  DISPOSITIONS,
  ageOn,
  dispositionFor,
  emergencyFlag,
  parseTemperature,
  questionsFor,
  triage,
  type IntakeAnswers,
} from '../../src/domain/triage.ts';

const calm = (complaint: string, extra: Partial<IntakeAnswers> = {}): IntakeAnswers => ({
  complaint,
  onset: 'days',
  severity: 2,
  redFlags: Object.fromEntries(
    (COMPLAINTS.find((rule) => rule.id === complaint)?.redFlags ?? []).map((flag) => [flag.id, 'no']),
  ),
  age: 30,
  ...extra,
});

describe('triage table', () => {
  it.each(COMPLAINTS.map((rule) => [rule.id, rule.baseAcuity, rule.department] as const))(
    '%s with nothing alarming → level %i, %s',
    (complaint, acuity, department) => {
      const result = triage(calm(complaint));
      expect(result).toMatchObject({ acuity, department, reasons: [], ...dispositionFor(acuity) });
    },
  );

  const flags = COMPLAINTS.flatMap((rule) =>
    rule.redFlags.map((flag) => [rule.id, flag.id, flag.acuity] as const),
  );
  it.each(flags)('%s: "yes" to %s → level %i', (complaint, flag, acuity) => {
    const answers = calm(complaint);
    answers.redFlags[flag] = 'yes';
    const result = triage(answers);
    expect(result.acuity).toBe(acuity);
    expect(result.reasons).toContain(`redFlag:${flag}`);
    if (acuity === 1) expect(result.department).toBe('emergency');
    expect(
      emergencyFlag(
        COMPLAINTS.find((rule) => rule.id === complaint)!,
        answers.redFlags,
      ),
    ).toBe(acuity === 1 ? flag : undefined);
  });

  it.each(flags)('%s: "I don\'t know" to %s raises nothing', (complaint, flag) => {
    const answers = calm(complaint);
    answers.redFlags[flag] = 'unknown';
    expect(triage(answers).acuity).toBe(COMPLAINTS.find((rule) => rule.id === complaint)!.baseAcuity);
  });

  it.each([
    [10, 3, 'severity:severe'],
    [8, 3, 'severity:severe'],
    [7, 4, 'severity:moderate'],
    [5, 4, 'severity:moderate'],
  ] as const)('severity %i lifts a self-care complaint to level %i', (severity, acuity, reason) => {
    const result = triage(calm('skin', { severity }));
    expect(result.acuity).toBe(acuity);
    expect(result.reasons).toContain(reason);
  });

  it('severity 4 or unknown leaves the level alone', () => {
    expect(triage(calm('skin', { severity: 4 })).acuity).toBe(5);
    expect(triage(calm('skin', { severity: undefined })).acuity).toBe(5);
  });

  it.each([
    [40.1, 2, 'temperature:high'],
    [39.5, 2, 'temperature:high'],
    [38.4, 3, 'temperature:fever'],
    [34.2, 2, 'temperature:low'],
  ] as const)('a temperature of %d °C → level %i', (temperature, acuity, reason) => {
    const result = triage(calm('cough_cold', { temperature }));
    expect(result.acuity).toBe(acuity);
    expect(result.reasons).toEqual([reason]);
  });

  it('a normal temperature raises nothing', () => {
    expect(triage(calm('cough_cold', { temperature: 37.2 })).acuity).toBe(5);
  });

  it('pregnancy with abdominal pain → level 2, obstetrics; with another complaint → level 3', () => {
    expect(triage(calm('abdominal_pain', { pregnant: 'yes' }))).toMatchObject({
      acuity: 2,
      department: 'obstetrics',
    });
    expect(triage(calm('urinary', { pregnant: 'yes' }))).toMatchObject({ acuity: 3, department: 'urology' });
    expect(triage(calm('urinary', { pregnant: 'unknown' })).acuity).toBe(4);
  });

  it.each(
    COMPLAINTS.filter((rule) => rule.olderFromAge !== undefined).map((rule) => [rule.id, rule.olderFromAge!]),
  )('%s: patients aged %i and over are seen one level sooner', (complaint, from) => {
    const base = triage(calm(complaint, { age: from - 1 })).acuity;
    const older = triage(calm(complaint, { age: from }));
    expect(older.acuity).toBe(base - 1);
    expect(older.reasons).toContain('age:older');
  });

  it('the most urgent rule wins when several apply', () => {
    const answers = calm('fever', { temperature: 38.6, severity: 9 });
    answers.redFlags.fever_long = 'yes';
    expect(triage(answers)).toMatchObject({ acuity: 3, reviewRequired: true, bookingUrgency: 'within-24h' });
  });

  it('levels 1-3 require a nurse before booking; 4-5 do not', () => {
    expect([1, 2, 3, 4, 5].map((level) => DISPOSITIONS[level as 1].reviewRequired)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('questions asked', () => {
  it('asks only what the complaint needs', () => {
    const kinds = (id: string, age?: number) =>
      questionsFor(
        COMPLAINTS.find((rule) => rule.id === id)!,
        age,
      ).map((q) => (q.kind === 'redFlag' ? q.id : q.kind));
    expect(kinds('chest_pain', 40)).toEqual([
      'onset',
      'severity',
      'chest_spreading',
      'chest_sweating',
      'chest_breathless',
      'describe',
    ]);
    expect(kinds('abdominal_pain', 30)).toEqual([
      'onset',
      'severity',
      'abdominal_blood',
      'abdominal_rigid',
      'pregnancy',
      'temperature',
      'describe',
    ]);
    // Pregnancy is not asked outside the age range, but is when the age is unknown.
    expect(kinds('abdominal_pain', 70)).not.toContain('pregnancy');
    expect(kinds('abdominal_pain', undefined)).toContain('pregnancy');
  });

  it('requires a description only for "something else"', () => {
    for (const rule of COMPLAINTS) {
      expect(questionsFor(rule, 30).at(-1)).toEqual({ kind: 'describe', required: rule.id === 'other' });
    }
  });
});

describe('reading answers', () => {
  it.each([
    ['38.5', 38.5],
    ['38,5 °C', 38.5],
    ['39C', 39],
    ['101.3F', 38.5],
    ['101.3', 38.5],
  ] as const)('reads the temperature %s as %d °C', (typed, celsius) => {
    expect(parseTemperature(typed)).toBe(celsius);
  });

  it.each(['hot', '3', '60', '', '38.5.1'])('refuses %j', (typed) => {
    expect(parseTemperature(typed)).toBeUndefined();
  });

  it('computes the age on a date, birthdays included', () => {
    const now = Date.UTC(2026, 10, 24);
    expect(ageOn('1990-11-24', now)).toBe(36);
    expect(ageOn('1990-11-25', now)).toBe(35);
    expect(ageOn('not a date', now)).toBeUndefined();
  });
});
