import { escapeHtml } from './inbox/escapeHtml';
import type { InboxReceiver } from './inboxReceivers';
import {
  ADAPTIVE_CARDS_BUNDLE_URL,
  INBOX_MESSAGES_URL,
  INBOX_SCRIPT_URL,
  INBOX_SILENCES_URL,
} from './inboxRoutes';

/**
 * The dev host's inbox page (`GET /`): every message the dev host received, newest first, with
 * Teams messages rendered by the official `adaptivecards` renderer the way Teams would show them
 * and webhook messages as pretty-printed JSON. Each message names the receiver it was posted to;
 * with more than one receiver the page can show one receiver's messages at a time.
 *
 * The HTML, the style and the page's settings are made here; the browser modules live in
 * `lib/tools/devhost/inbox/` (the page loads `inbox.js`, served at {@link INBOX_SCRIPT_URL}) and
 * the renderer comes from the `adaptivecards` package (served at {@link ADAPTIVE_CARDS_BUNDLE_URL}).
 * The page polls {@link INBOX_MESSAGES_URL} every 3 s and only touches the DOM when the list
 * changed.
 */

/** How often the page polls for new messages. */
export const INBOX_REFRESH_MS = 3000;

const FONT_FAMILY =
  "'Segoe UI', 'Segoe UI Web (West European)', -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue', Arial, sans-serif";
const MONOSPACE_FAMILY = "Consolas, 'Cascadia Mono', 'Courier New', monospace";

/** Text colours, the same in every container style (Teams light theme). */
const FOREGROUND_COLORS = {
  default: { default: '#242424', subtle: '#616161' },
  dark: { default: '#242424', subtle: '#424242' },
  light: { default: '#FFFFFF', subtle: '#F5F5F5' },
  accent: { default: '#5B5FC7', subtle: '#7F85F5' },
  good: { default: '#0E700E', subtle: '#107C10' },
  warning: { default: '#BC4B09', subtle: '#CA5010' },
  attention: { default: '#C4314B', subtle: '#D13438' },
};

function containerStyle(
  backgroundColor: string,
  borderColor: string,
): { backgroundColor: string; borderColor: string; foregroundColors: typeof FOREGROUND_COLORS } {
  return { backgroundColor, borderColor, foregroundColors: FOREGROUND_COLORS };
}

const FONT_SIZES = { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 };
const FONT_WEIGHTS = { lighter: 300, default: 400, bolder: 600 };

/**
 * A host config resembling Microsoft Teams' light theme, after the `microsoft-teams-light` sample
 * host config of the Adaptive Cards repository, with today's Teams (Fluent) colours.
 */
export function teamsHostConfig(): Record<string, unknown> {
  return {
    supportsInteractivity: true,
    choiceSetInputValueSeparator: ',',
    fontFamily: FONT_FAMILY,
    fontSizes: FONT_SIZES,
    fontWeights: FONT_WEIGHTS,
    fontTypes: {
      default: { fontFamily: FONT_FAMILY, fontSizes: FONT_SIZES, fontWeights: FONT_WEIGHTS },
      monospace: { fontFamily: MONOSPACE_FAMILY, fontSizes: FONT_SIZES, fontWeights: FONT_WEIGHTS },
    },
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: '#E0E0E0' },
    imageSizes: { small: 32, medium: 52, large: 100 },
    containerStyles: {
      default: containerStyle('#FFFFFF', '#E0E0E0'),
      emphasis: containerStyle('#F5F5F5', '#D1D1D1'),
      accent: containerStyle('#EBEBF6', '#C5CBFA'),
      good: containerStyle('#F1FAF1', '#9FD89F'),
      attention: containerStyle('#FDF3F4', '#EEACB2'),
      warning: containerStyle('#FFF9F5', '#FDCFB4'),
    },
    table: { cellSpacing: 8 },
    actions: {
      maxActions: 6,
      spacing: 'default',
      buttonSpacing: 8,
      showCard: { actionMode: 'inline', inlineTopMargin: 16, style: 'emphasis' },
      preExpandSingleShowCardAction: false,
      actionsOrientation: 'horizontal',
      actionAlignment: 'left',
      iconPlacement: 'leftOfTitle',
      iconSize: 16,
    },
    adaptiveCard: { allowCustomStyle: true },
    imageSet: { imageSize: 'medium', maxImageHeight: 100 },
    factSet: {
      title: { size: 'default', color: 'default', isSubtle: false, weight: 'bolder', wrap: true },
      value: { size: 'default', color: 'default', isSubtle: false, weight: 'default', wrap: true },
      spacing: 16,
    },
    textBlock: { headingLevel: 2 },
  };
}

/** Embeds a value as JSON inside a `<script>` data block, safe against `</script>`. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const PAGE_CONFIG = {
  messagesUrl: INBOX_MESSAGES_URL,
  refreshMs: INBOX_REFRESH_MS,
  hostConfig: teamsHostConfig(),
  maxCardVersion: '1.5',
  maxBodyBytes: 26 * 1024,
  adaptiveCardContentType: 'application/vnd.microsoft.card.adaptive',
};

const STYLE = `
:root {
  color-scheme: light;
  --font: ${FONT_FAMILY};
  --mono: ${MONOSPACE_FAMILY};
  --text: #242424;
  --subtle: #616161;
  --line: #E0E0E0;
  --brand: #5B5FC7;
  --page: #F5F5F5;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--text); font: 14px/20px var(--font); }
header { position: sticky; top: 0; z-index: 1; background: #FFFFFF; border-bottom: 1px solid var(--line); padding: 12px 24px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; }
header h1 { margin: 0; font-size: 18px; line-height: 24px; font-weight: 700; }
header .count { font-weight: 600; color: var(--brand); }
header .hint, header .status { color: var(--subtle); font-size: 12px; }
header .status { margin-left: auto; }
header .note { flex-basis: 100%; color: #8A3707; font-size: 12px; }
code { font-family: var(--mono); font-size: 12px; background: #F0F0F0; border-radius: 4px; padding: 1px 4px; }
main { max-width: 920px; margin: 0 auto; padding: 16px 24px 48px; }
.silences { margin: 0 0 16px; padding: 10px 14px; border-radius: 6px; border: 1px solid var(--line); background: #FFFFFF; font-size: 13px; }
.silences ul { margin: 4px 0 0; padding-left: 18px; }
.banner { margin: 0 0 16px; padding: 10px 14px; border-radius: 6px; border: 1px solid #F3D6D8; background: #FDF3F4; color: #A4262C; font-weight: 600; }
.empty { margin: 48px auto; max-width: 480px; text-align: center; color: var(--subtle); background: #FFFFFF; border: 1px dashed #C7C7C7; border-radius: 8px; padding: 32px 24px; }
.empty strong { display: block; color: var(--text); font-size: 16px; margin-bottom: 8px; }
#messages { display: flex; flex-direction: column; gap: 20px; }
.message { display: flex; gap: 12px; align-items: flex-start; }
.message[hidden] { display: none; }
.avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; display: flex; align-items: center; justify-content: center; font-weight: 600; font-size: 13px; color: #FFFFFF; background: var(--brand); }
.avatar-webhook, .avatar-unknown { background: #616161; font-family: var(--mono); font-size: 11px; }
.message-column { flex: 1; min-width: 0; }
.meta { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 8px; margin-bottom: 4px; font-size: 12px; color: var(--subtle); }
.meta .sender { font-weight: 600; color: var(--text); font-size: 14px; }
.badge { border-radius: 4px; padding: 0 6px; background: #EBEBF6; color: #444791; font-weight: 600; }
.badge-webhook, .badge-unknown { background: #EDEDED; color: #424242; }
.receiver { border: 1px solid #C5CBFA; border-radius: 4px; padding: 0 6px; color: #444791; font-weight: 600; }
.signature-valid { color: #0E700E; }
.signature-invalid { color: #A4262C; font-weight: 600; }
.receivers { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 16px; }
.receivers button { font: 600 13px/20px var(--font); color: var(--text); background: #FFFFFF; border: 1px solid #D1D1D1; border-radius: 16px; padding: 2px 12px; cursor: pointer; }
.receivers button[aria-pressed="true"] { background: #EBEBF6; border-color: var(--brand); color: #444791; }
.receivers button .type { font-weight: 400; color: var(--subtle); }
.message-body { display: flex; flex-direction: column; gap: 8px; }
.card { max-width: 540px; }
.card.card-full-width { max-width: none; }
.card-host .ac-adaptiveCard { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08); }
.card-host .ac-adaptiveCard:focus { outline: none; }
.ac-textBlock p { margin: 0 0 8px; }
.ac-textBlock ul, .ac-textBlock ol { margin: 0 0 8px; padding-left: 20px; }
.ac-textBlock a, .text-message a { color: var(--brand); text-decoration: none; }
.ac-textBlock a:hover, .text-message a:hover { text-decoration: underline; }
.mention { font-weight: 600; color: var(--brand); }
.ac-factset { border-collapse: collapse; }
.ac-factset tr + tr > td { padding-top: 4px !important; }
.ac-pushButton { font-family: var(--font); font-size: 14px; line-height: 20px; font-weight: 600; color: var(--text); background: #FFFFFF; border: 1px solid #D1D1D1; border-radius: 4px; padding: 5px 12px; min-height: 32px; cursor: pointer; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ac-pushButton:hover { background: #F5F5F5; border-color: #C7C7C7; }
.ac-pushButton:active { background: #E0E0E0; }
.ac-pushButton:focus-visible { outline: 2px solid var(--brand); outline-offset: 1px; }
.ac-pushButton.expanded { background: #EBEBF6; border-color: var(--brand); color: #444791; }
.ac-pushButton-disabled { opacity: 0.5; cursor: default; }
.text-message { background: #FFFFFF; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; max-width: 540px; }
.text-message p { margin: 0 0 8px; }
.text-message p:last-child { margin-bottom: 0; }
.json { margin: 0; max-width: 100%; overflow: auto; max-height: 480px; background: #FFFFFF; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; font: 12px/18px var(--mono); white-space: pre; }
.notice { border-radius: 6px; padding: 8px 12px; font-size: 13px; max-width: 540px; overflow-wrap: anywhere; }
.notice ul { margin: 4px 0 0; padding-left: 18px; }
.notice-error { background: #FDF3F4; border: 1px solid #EEACB2; color: #A4262C; }
.notice-warning { background: #FFF9F5; border: 1px solid #F4BFAB; color: #8A3707; }
.card-notices:not(:empty) { margin-bottom: 8px; }
@media (max-width: 600px) {
  header { padding: 8px 12px; }
  main { padding: 12px 8px 32px; }
  .avatar { display: none; }
}
`;

const BODY = `
<header>
  <h1>Teams inbox</h1>
  <span class="count" id="count" data-testid="count" aria-live="polite">Loading…</span>
  <span class="hint" data-testid="hint">Messages posted to the dev host appear here, newest first. Send some with <code>npm run demo</code>.</span>
  <span class="status" id="status" data-testid="status"></span>
  <span class="note" id="note" data-testid="note" role="status" hidden></span>
</header>
<main>
  <div class="banner" id="load-error" data-testid="load-error" role="alert" hidden></div>
  <section class="silences" id="silences" data-testid="silences" aria-live="polite" hidden></section>
  <nav class="receivers" id="receivers" data-testid="receivers" aria-label="Receivers" hidden></nav>
  <section class="empty" id="empty" data-testid="empty-state" hidden>
    <strong>No messages yet</strong>
    Run <code>npm run demo</code> to post sample alerts through the enricher; each Teams card and webhook message the dev host receives shows up here within 3 seconds.
  </section>
  <div id="messages" data-testid="messages"></div>
</main>
`;

/**
 * The Content-Security-Policy the page declares in a `<meta>` tag: same-origin scripts only (no
 * inline script runs; the settings are a JSON data block), same-origin fetches, images from
 * anywhere (cards reference https images). The dev host sends the same value as a header.
 */
export function inboxContentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https: http:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The full HTML document served at `GET /`. */
/**
 * `listSilences`: the host serves {@link INBOX_SILENCES_URL}, so the page lists the active
 * silences above the messages (a page served without it asks for nothing more).
 * `receivers`: the configured receivers (names and types), offered as filters even before they
 * received anything.
 */
export function renderInboxPage(
  options: { readonly listSilences?: boolean; readonly receivers?: readonly InboxReceiver[] } = {},
): string {
  const config = {
    ...PAGE_CONFIG,
    ...(options.listSilences === true && { silencesUrl: INBOX_SILENCES_URL }),
    receivers: (options.receivers ?? []).map((r) => ({ name: r.name, type: r.type })),
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(inboxContentSecurityPolicy())}">
<title>Inbox · iothub-alert-enricher dev host</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-state="loading">${BODY}<script type="application/json" id="inbox-config">${scriptLiteral(config)}</script>
<script src="${ADAPTIVE_CARDS_BUNDLE_URL}"></script>
<script type="module" src="${INBOX_SCRIPT_URL}"></script>
</body>
</html>
`;
}
