import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the end-to-end tests start the CLI and real servers; on a shared two-core machine a run of a few seconds
    // can take ten: the same limits for `npm test` and for a bare `npx vitest run FILE`
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // a real PostgreSQL server for the PostgreSQL backend's tests (test/pg-setup.ts)
    globalSetup: ['test/pg-setup.ts'],
  },
});
