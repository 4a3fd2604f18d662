import { spawn } from 'node:child_process';
import { safeHttpUrl } from '../render/digest.js';

/**
 * Opening a link from the view: only http(s) links, handed to the platform's opener as one argument
 * (no shell ever sees it). Off a desktop (no display: an SSH session, a console) nothing is run and the
 * view says where the link is instead.
 */

/** The link as a web address to open, or null when it is not http(s) (javascript:, file:, data:...): the digest's rule. */
export const webLink = (link: string): string | null => safeHttpUrl(link);

/** The command that opens a URL on this platform, or null off a desktop. */
export function opener(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): { command: string; args: string[] } | null {
  if (platform === 'darwin') return env.SSH_CONNECTION && !env.DISPLAY ? null : { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: 'xdg-open', args: [] };
  return null;
}

/** Opens the link or says why not: the message for the view's bottom line. */
export function openLink(link: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const url = webLink(link);
  if (url === null) return Promise.resolve(`not a web link, not opened: ${link}`);
  const how = opener(platform, env);
  if (!how) return Promise.resolve(`no desktop to open it here; the link: ${url}`);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(how.command, [...how.args, url], { stdio: 'ignore', detached: true, shell: false });
    } catch (err) {
      resolve(`could not run ${how.command} (${(err as Error).message}); the link: ${url}`);
      return;
    }
    child.once('error', (err: NodeJS.ErrnoException) => resolve(`could not run ${how.command} (${err.code ?? err.message}); the link: ${url}`));
    child.once('spawn', () => {
      child.unref();
      resolve(`opened ${url}`);
    });
  });
}
