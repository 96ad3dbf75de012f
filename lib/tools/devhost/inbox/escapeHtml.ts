/**
 * Escapes text for HTML element content and double-quoted attribute values, for the server
 * (`inboxPage.ts`) and for the inbox page's markdown (`markdown.js`).
 * One copy for both: written in the JavaScript subset of TypeScript (the default value types
 * `text`), so tsc compiles it for the server and the page loads these very bytes as a module.
 */
export function escapeHtml(text = '') {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
