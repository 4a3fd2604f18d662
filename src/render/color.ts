import { Chalk, type ChalkInstance } from 'chalk';

export interface ColorInputs {
  /** --color / --no-color: true, false or undefined when not given. */
  flag: boolean | undefined;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/**
 * Decides once whether to colour: --no-color or NO_COLOR win, then --color or FORCE_COLOR, then TERM=dumb
 * and whether stdout is a terminal. Returns a chalk instance with an explicit level (chalk 5 ignores NO_COLOR).
 */
export function decideColor({ flag, env, isTTY }: ColorInputs): { enabled: boolean; chalk: ChalkInstance } {
  let enabled: boolean;
  if (flag === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) enabled = false;
  else if (flag === true) enabled = true;
  else if (env.FORCE_COLOR !== undefined) enabled = env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  else enabled = isTTY && env.TERM !== 'dumb';
  return { enabled, chalk: new Chalk({ level: enabled ? 1 : 0 }) };
}
