// A public page's live stream (display, ticket): the latest value of one SSE event, and whether
// the stream is up. EventSource reconnects by itself; the server sends the current value first.
import { useEffect, useState } from 'preact/hooks';

export function useLiveValue<T>(url: string, event: string, initial: T): { value: T; live: boolean } {
  const [value, setValue] = useState<T>(initial);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = new EventSource(url);
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    source.addEventListener(event, (message: MessageEvent<string>) => {
      setLive(true);
      setValue(JSON.parse(message.data) as T);
    });
    return () => source.close();
  }, [url, event]);
  return { value, live };
}
