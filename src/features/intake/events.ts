// The intake feature's system events (members of the SystemEvent union).

declare module '../../conversation/flow.ts' {
  interface SystemEventMap {
    /**
     * A message a staff member sent from the console: a template's name or their own text. The
     * intake it was written on opens a thread for the patient's answer.
     */
    'staff.message': { intakeId?: string; template?: string; text?: string };
  }
}

export {};
