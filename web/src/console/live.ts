// The console's live stream: typed events (src/server/console/events.ts), reconnecting by itself.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleEvent } from '../../../src/server/console/events.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Calls `onEvent` for each event of `family`; `onReconnect` after the stream comes back from a
 * drop (events sent meanwhile are lost, so a view reloads what it shows).
 */
export function useConsoleStream(
  family: string,
  onEvent: (event: ConsoleEvent) => void,
  onReconnect?: () => void,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onEvent, onReconnect });
  handlers.current = { onEvent, onReconnect };
  useEffect(() => {
    const stream = new EventSource('/console/api/stream');
    let dropped = false;
    stream.onopen = () => {
      setState('live');
      if (dropped) handlers.current.onReconnect?.();
      dropped = false;
    };
    stream.onerror = () => {
      dropped = true;
      setState('reconnecting');
    };
    stream.addEventListener(family, (message: MessageEvent<string>) => {
      handlers.current.onEvent(JSON.parse(message.data) as ConsoleEvent);
    });
    return () => stream.close();
  }, [family]);
  return state;
}
