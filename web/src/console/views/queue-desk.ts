// The desk's place: which department's board and which room or counter this screen calls to,
// kept in the browser (each desk's screen is its own), and who may act on the boards.
import { useState } from 'preact/hooks';
import type { Role } from '../context.ts';

/** The roles that call, recall and finish tickets (src/features/queue/console.ts). */
export const QUEUE_ACT: Role[] = ['operator', 'admin'];
/** The roles that check patients in at the kiosk. */
export const QUEUE_CHECK_IN: Role[] = ['operator', 'admin', 'nurse'];
/** The roles that see the boards. */
export const QUEUE_READ: Role[] = ['operator', 'admin', 'nurse', 'doctor'];

const ROOM_KEY = 'fd_queue_room';
const DEPARTMENT_KEY = 'fd_queue_department';

const stored = (key: string): string => {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
};
const store = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {
    // A browser refusing storage only forgets the desk's place between visits.
  }
};

/** The department this desk last opened (the board's default). */
export const lastDepartment = (): string => stored(DEPARTMENT_KEY);

export function useDesk() {
  const [room, setRoomState] = useState(() => stored(ROOM_KEY));
  return {
    room,
    setRoom(value: string) {
      setRoomState(value);
      store(ROOM_KEY, value.trim());
    },
    setDepartment: (code: string) => store(DEPARTMENT_KEY, code),
  };
}
