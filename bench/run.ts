// `npm run bench`: every benchmark in turn. Figures only; nothing here is asserted.
await import('./storage.ts');
console.log('');
await import('./webhook.ts');
