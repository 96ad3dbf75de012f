import { join } from 'node:path';

/**
 * Where the dev host serves the inbox page's pieces, and where it reads them from. Apart from the
 * page itself (`inboxPage.ts`, loaded on the first `GET /`) so that the host's first answers do
 * not load the page's HTML and styles.
 */

/** Where the dev host serves the page's own script, `inboxScriptPath()`. */
export const INBOX_SCRIPT_URL = '/inbox/inbox.js';

/** Where the dev host serves `adaptiveCardsBundlePath()`. */
export const ADAPTIVE_CARDS_BUNDLE_URL = '/vendor/adaptivecards.js';

/** JSON array, newest first, of {@link InboxMessage}. */
export const INBOX_MESSAGES_URL = '/inbox/messages';

/** One entry of `GET /inbox/messages`. */
export interface InboxMessage {
  id: string;
  /** ISO 8601 */
  receivedAt: string;
  channel: 'teams' | 'webhook';
  /** For `teams` the Workflows envelope `{type: "message", attachments: [...]}`, else any JSON. */
  body: unknown;
}

/**
 * Absolute path of the page's browser script. It is served as written (plain JavaScript, checked
 * by `lib/devhost/inbox/tsconfig.json`), from the sources whether this module runs from `lib/`
 * (tests) or from `dist/lib/` (`npm start`).
 */
export function inboxScriptPath(root: string): string {
  return join(root, 'lib', 'devhost', 'inbox', 'inbox.js');
}

/** Absolute path of the browser bundle of `adaptivecards` (UMD, global `AdaptiveCards`). */
export function adaptiveCardsBundlePath(): string {
  return require.resolve('adaptivecards/dist/adaptivecards.min.js');
}
