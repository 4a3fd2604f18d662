import { UsageError } from '../core/errors.js';
import type { DigestModel } from '../moments/types.js';
import { renderDigestHtml } from './digest-html.js';
import { renderDigestMarkdown } from './digest-markdown.js';
import { renderDigestText } from './digest-text.js';

/** The digest's printed formats, by name (an email carries text and HTML). A new format is one more entry. */
export const DIGEST_RENDERERS: Record<string, (d: DigestModel, o: { subjectPrefix?: string }) => string> = {
  text: renderDigestText,
  markdown: renderDigestMarkdown,
  html: renderDigestHtml,
};

/** The format `--format` names (text when not given); an unknown one is a usage error listing them. */
export function digestFormat(name: string | undefined): string {
  if (name === undefined) return 'text';
  if (!Object.hasOwn(DIGEST_RENDERERS, name)) {
    throw new UsageError(`--format: unknown digest format "${name}"`, { hint: `use one of ${Object.keys(DIGEST_RENDERERS).join(', ')}` });
  }
  return name;
}
