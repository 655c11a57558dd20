import { defineConfig } from 'prisma/config';

// The URL is only needed by Prisma's own CLI (`prisma migrate deploy`, `prisma studio`);
// the application reads DATABASE_URL through src/config.ts and applies migrations itself.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/statuschecker' },
});
