/**
 * The small server-side HTML pages behind a card's action links: what the link will do, with a
 * form that does it; what it did; or why the link does not work. Every value is escaped (a name
 * or a device ID is text, never markup), and the page needs no script.
 */

/** No script, no framing, no outside resources; the form posts back to this page only. */
export const ACTION_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.3rem}label{display:block;margin:1rem 0 .3rem}input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}
button{margin-top:1rem;font-size:1rem;padding:.5rem 1.2rem}.note{color:#555;font-size:.9rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

export interface ConfirmPage {
  /** What will happen, one sentence. */
  readonly what: string;
  /** Shown under it, e.g. that it was already done. */
  readonly note?: string;
  /** The button's label. */
  readonly button: string;
  /** The signed-in user (platform authentication): shown read-only. */
  readonly signedInAs?: string;
  /** Where the form posts: this page's own path and query. */
  readonly action: string;
  readonly expiresAt: string;
}

/** The GET: what will happen, and the form that does it. Nothing is done yet. */
export function confirmPageHtml(p: ConfirmPage): string {
  const name =
    p.signedInAs !== undefined
      ? `<input id="by" name="by" value="${escapeHtml(p.signedInAs)}" readonly>`
      : `<input id="by" name="by" required maxlength="100" autocomplete="name">`;
  return page(
    p.button,
    `<h1>${escapeHtml(p.what)}</h1>
${p.note === undefined ? '' : `<p class="note">${escapeHtml(p.note)}</p>`}
<form method="post" action="${escapeHtml(p.action)}">
<label for="by">Your name (the channel is told who did it)</label>
${name}
<button type="submit">${escapeHtml(p.button)}</button>
</form>
<p class="note">This link works until ${escapeHtml(p.expiresAt)} UTC. Opening it changes nothing; the button does.</p>`,
  );
}

/** The POST's answer: what was done (or that it had been done already). */
export function donePageHtml(headline: string, detail: string): string {
  return page(
    headline,
    `<h1>${escapeHtml(headline)}</h1>
<p>${escapeHtml(detail)}</p>
<p class="note">You can close this page.</p>`,
  );
}

/** A link that does not work, or an action that could not be done: which, in words. */
export function problemPageHtml(headline: string, detail: string): string {
  return page(headline, `<h1>${escapeHtml(headline)}</h1>\n<p>${escapeHtml(detail)}</p>`);
}
