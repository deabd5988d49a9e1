// The onboarding feature's system events (members of the SystemEvent union).

declare module '../../conversation/flow.ts' {
  interface SystemEventMap {
    /** The register knows the patient now: newly registered, or recognised (`returning`). */
    'patient.identified': { patientId: string; returning: boolean };
  }
}

export {};
