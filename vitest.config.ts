import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // a real PostgreSQL server for the PostgreSQL backend's tests (test/pg-setup.ts)
    globalSetup: ['test/pg-setup.ts'],
  },
});
