// Prints which backends this run exercises, so a green run says what it proved.
export default function setup(): void {
  const postgres = process.env.TEST_DATABASE_URL
    ? 'embedded PGlite + real PostgreSQL'
    : 'embedded PGlite only';
  const redis = process.env.TEST_REDIS_URL ? 'in-memory twins + real Redis' : 'in-memory twins only';
  console.log(`\n[frontdoor tests] database: ${postgres}; key-value and jobs: ${redis}\n`);
}
