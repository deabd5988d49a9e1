// A broadcast's audience names its doctor by the hospital's practitioner id; staff read the
// doctor's name. Names come from the hospital through the console's doctors endpoint, asked
// once per department, so the past broadcasts, the open report and its live updates share them.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Audience } from '../../../../src/domain/broadcasts.ts';
import { useSession } from '../context.ts';

export interface Doctor {
  id: string;
  names: Record<string, string> & { default: string };
}

/** A doctor's name in the staff member's language, or as the hospital writes it. */
export const doctorName = (doctor: Doctor, locale: string) => doctor.names[locale] ?? doctor.names.default;

/** The departments to ask to name an audience's doctor: its own, or (sent without one) all. */
const departmentsOf = (audience: Audience, all: string[]) =>
  audience.kind === 'appointments' && audience.doctor
    ? audience.department
      ? [audience.department]
      : all
    : [];

/**
 * The doctor of each audience in `audiences`, by name: undefined while the hospital is being
 * asked (or there is no doctor), "a doctor no longer listed" for an id it does not know.
 */
export function useDoctorNames(audiences: Audience[]): (audience: Audience) => string | undefined {
  const { api, t, labels, locale } = useSession();
  const all = Object.keys(labels.department);
  const [known, setKnown] = useState<Record<string, Doctor[]>>({});
  const asked = useRef(new Set<string>());
  const wanted = [...new Set(audiences.flatMap((audience) => departmentsOf(audience, all)))].sort();
  useEffect(() => {
    for (const code of wanted) {
      if (asked.current.has(code)) continue;
      asked.current.add(code);
      // A department the hospital cannot list now names none of its doctors: the id stays unnamed.
      const keep = (doctors: Doctor[]) => setKnown((shown) => ({ ...shown, [code]: doctors }));
      api.get<{ doctors: Doctor[] }>(`/console/api/broadcasts/doctors/${code}`).then(
        (answer) => keep(answer.doctors),
        () => keep([]),
      );
    }
  }, [wanted.join(',')]);
  return (audience) => {
    if (audience.kind !== 'appointments' || !audience.doctor) return undefined;
    const lists = departmentsOf(audience, all).map((code) => known[code]);
    const found = lists.flatMap((doctors) => doctors ?? []).find((each) => each.id === audience.doctor);
    if (found) return doctorName(found, locale);
    return lists.some((doctors) => doctors === undefined) ? undefined : t('broadcasts.doctorGone');
  };
}
