// `npm run bench`: every benchmark in turn. Figures only; nothing here is asserted, except
// that the bad-bodies run (bench/fuzz.ts) sets a failing exit code on a 5xx or a stored body.
await import('./storage.ts');
console.log('');
await import('./webhook.ts');
console.log('');
await import('./queue.ts');
console.log('');
await import('./broadcast.ts');
console.log('');
await import('./fuzz.ts');
