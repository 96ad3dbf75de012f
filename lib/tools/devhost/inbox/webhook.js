// @ts-check
/* A webhook message (or anything the inbox cannot read as a card): its body as indented JSON. */
import { el } from './dom.js';

export function renderJson(body) {
  var pre = el('pre', 'json');
  pre.setAttribute('data-testid', 'webhook-json');
  var text;
  try {
    text = JSON.stringify(body, null, 2);
  } catch {
    text = String(body);
  }
  pre.textContent = text === undefined ? 'undefined' : text;
  return pre;
}
