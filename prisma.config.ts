// Prisma CLI configuration. Migrations run on the WebAssembly schema engine through a
// driver adapter because the native engines cannot be downloaded offline. The adapter
// comes from @prisma/adapter-pg 7.x (aliased) to avoid prisma/orm#27403 in 6.19.
import { PrismaPg } from 'prisma-migrate-adapter-pg';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? '' }),
});
