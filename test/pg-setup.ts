/**
 * vitest globalSetup: one real PostgreSQL server for the whole run (see helpers/pg-cluster.mjs). Its URL
 * reaches the tests as `inject('pgUrl')`; each test file makes its own databases on it (helpers/pg.ts).
 * When the server cannot be started, `pgError` says why and every PostgreSQL test fails with it.
 */
import type { TestProject } from 'vitest/node';
import { startCluster, type Cluster } from './helpers/pg-cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pgError: string;
  }
}

let cluster: Cluster | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  try {
    cluster = await startCluster();
    project.provide('pgUrl', cluster.url);
    project.provide('pgError', '');
  } catch (err) {
    project.provide('pgUrl', '');
    project.provide('pgError', err instanceof Error ? err.message : String(err));
  }
  return () => cluster?.destroy();
}
