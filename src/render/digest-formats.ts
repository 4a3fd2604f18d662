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
