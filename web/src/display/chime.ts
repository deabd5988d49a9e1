// The "now calling" chime: two soft tones made with Web Audio (no sound file to fetch). Browsers
// start audio only after a tap unless the TV's browser is set to autoplay, hence `unlock`.
let context: AudioContext | undefined;

const audio = (): AudioContext => (context ??= new AudioContext());

/** Whether the browser lets the page play sound yet. */
export const chimeReady = (): boolean => audio().state === 'running';

/** Asks the browser to allow sound (call from a tap or a key press). */
export const unlockChime = (): Promise<void> => audio().resume();

/** Ding-dong: E5 then C5, each fading out. */
export function chime(): void {
  const ctx = audio();
  if (ctx.state !== 'running') return;
  const start = ctx.currentTime;
  for (const [index, frequency] of [659.25, 523.25].entries()) {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    const at = start + index * 0.45;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.2);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(at);
    oscillator.stop(at + 1.3);
  }
}
