import type { ChalkInstance } from 'chalk';

export interface ColorInputs {
  /** --color / --no-color: true, false or undefined when not given. */
  flag: boolean | undefined;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/**
 * Whether to colour, decided once: --no-color or NO_COLOR win, then --color or FORCE_COLOR, then TERM=dumb
 * and whether stdout is a terminal.
 */
export function colorEnabled({ flag, env, isTTY }: ColorInputs): boolean {
  if (flag === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (flag === true) return true;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/** chalk's level 0 (no colour): every style, chained or not, gives its arguments as text, joined by spaces. */
const same = (...args: unknown[]): string => (args.length === 1 ? String(args[0]) : args.join(' '));
export const plain: ChalkInstance = new Proxy(same, {
  // (not a promise: `then` is nothing)
  get: (target, key) => (key === 'level' ? 0 : key === 'then' ? undefined : key in target ? Reflect.get(target, key) : plain),
  set: () => false,
}) as unknown as ChalkInstance;

/**
 * The decision and its chalk instance, with an explicit level (chalk 5 ignores NO_COLOR). chalk (with its
 * style tables and terminal probe, ~20 ms of a start) is loaded only when colour is on: without colour
 * the renderers get `plain`, which writes what chalk's level 0 writes.
 */
export async function decideColor(inputs: ColorInputs): Promise<{ enabled: boolean; chalk: ChalkInstance }> {
  const enabled = colorEnabled(inputs);
  if (!enabled) return { enabled, chalk: plain };
  const { Chalk } = await import('chalk');
  return { enabled, chalk: new Chalk({ level: 1 }) };
}
