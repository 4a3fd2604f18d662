/** Types of pg-cluster.mjs. */
export interface Cluster {
  /** Superuser's connection URL over TCP (password auth). */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The folder holding the data directory, the socket and the log. */
  dir: string;
  /** Major version of the server. */
  version: number;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

/** Where initdb and pg_ctl are, or null. */
export function findPgBin(): string | null;

/** Starts a new cluster. Throws with a clear message when the PostgreSQL server is not installed. */
export function startCluster(): Promise<Cluster>;
