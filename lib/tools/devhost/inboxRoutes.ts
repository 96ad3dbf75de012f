import { join } from 'node:path';

/**
 * Where the dev host serves the inbox page's pieces, and where it reads them from. Apart from the
 * page itself (`inboxPage.ts`, loaded on the first `GET /`) so that the host's first answers do
 * not load the page's HTML and styles.
 */

/** Where the dev host serves the page's entry module (`inbox/inbox.js`), which imports the rest. */
export const INBOX_SCRIPT_URL = '/inbox/inbox.js';

/** Where the dev host serves `adaptiveCardsBundlePath()`. */
export const ADAPTIVE_CARDS_BUNDLE_URL = '/vendor/adaptivecards.js';

/**
 * JSON array, newest first, of {@link InboxMessage}; `?receiver=NAME` keeps one receiver's.
 */
export const INBOX_MESSAGES_URL = '/inbox/messages';

/** JSON `{silences: [...]}`: the active silences, as the inbox lists them above the messages. */
export const INBOX_SILENCES_URL = '/inbox/active-silences';

/** One entry of `GET /inbox/messages`. */
export interface InboxMessage {
  id: string;
  /** ISO 8601 */
  receivedAt: string;
  /** How the body is shown: the receiver's type. */
  channel: 'teams' | 'webhook';
  /** The receiver it was posted to (`teams`, `webhook` or one a route list declares). */
  receiver: string;
  /**
   * A signed receiver's bodies only: what checking the signature with the receiver's secret
   * said (`missing` when the post carried none).
   */
  signature?: 'valid' | 'bad-signature' | 'stale' | 'bad-timestamp' | 'missing';
  /** For `teams` the Workflows envelope `{type: "message", attachments: [...]}`, else any JSON. */
  body: unknown;
}

const INBOX_MODULES_URL = '/inbox/';

/**
 * The page's browser modules, the only files served from `lib/tools/devhost/inbox/`: the name in
 * the URL and the file it serves. `escapeHtml.ts`, shared with the server, is plain JavaScript.
 */
export const INBOX_MODULES: Readonly<Record<string, string>> = {
  'inbox.js': 'inbox.js',
  'card.js': 'card.js',
  'dom.js': 'dom.js',
  'escapeHtml.js': 'escapeHtml.ts',
  'list.js': 'list.js',
  'markdown.js': 'markdown.js',
  'message.js': 'message.js',
  'poll.js': 'poll.js',
  'receivers.js': 'receivers.js',
  'silences.js': 'silences.js',
  'teams.js': 'teams.js',
  'webhook.js': 'webhook.js',
};

/** The file served at `urlPath` (`/inbox/<name>`), or undefined if not in {@link INBOX_MODULES}. */
export function inboxModuleFile(urlPath: string): string | undefined {
  if (!urlPath.startsWith(INBOX_MODULES_URL)) return undefined;
  const name = urlPath.slice(INBOX_MODULES_URL.length);
  return Object.hasOwn(INBOX_MODULES, name) ? INBOX_MODULES[name] : undefined;
}

/**
 * Absolute path of one of the page's modules (a value of {@link INBOX_MODULES}). They are served
 * as written, from the sources whether this runs from `lib/` (tests) or `dist/lib/` (`npm start`).
 */
export function inboxModulePath(root: string, file: string): string {
  return join(root, 'lib', 'tools', 'devhost', 'inbox', file);
}

/** Absolute path of the browser bundle of `adaptivecards` (UMD, global `AdaptiveCards`). */
export function adaptiveCardsBundlePath(): string {
  return require.resolve('adaptivecards/dist/adaptivecards.min.js');
}
