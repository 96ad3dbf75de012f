// @ts-check
/* The small helpers the inbox's renderers share: elements, notices, value checks and sizes. */

/** An element with an optional class and text (always set as textContent, never as HTML). */
export function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorText(error) {
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

/** Bytes of the value as JSON (UTF-8), 0 when it is not JSON. */
export function byteLength(value) {
  try {
    return new TextEncoder().encode(JSON.stringify(value)).length;
  } catch {
    return 0;
  }
}

export function formatBytes(bytes) {
  return bytes < 1024 ? bytes + ' B' : (bytes / 1024).toFixed(1) + ' KB';
}

/** An error or warning box with a title and an optional list of lines. */
export function notice(kind, title, lines) {
  var box = el('div', 'notice notice-' + kind);
  box.setAttribute('data-testid', kind === 'error' ? 'card-error' : 'card-warning');
  box.setAttribute('role', kind === 'error' ? 'alert' : 'note');
  box.appendChild(el('strong', null, title));
  if (lines && lines.length) {
    var ul = el('ul');
    lines.forEach(function (line) {
      ul.appendChild(el('li', null, line));
    });
    box.appendChild(ul);
  }
  return box;
}
