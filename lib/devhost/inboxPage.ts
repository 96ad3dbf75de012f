import { createHash } from 'node:crypto';

/**
 * The dev host's inbox page (`GET /`): every message the dev host received, newest first, with
 * Teams messages rendered by the official `adaptivecards` renderer the way Teams would show them
 * and webhook messages as pretty-printed JSON.
 *
 * Everything the page needs is inlined here except the renderer itself, which the dev host serves
 * at {@link ADAPTIVE_CARDS_BUNDLE_URL} from {@link adaptiveCardsBundlePath}. The page polls
 * {@link INBOX_MESSAGES_URL} every 3 s and only touches the DOM when the list changed.
 */

/** Where the dev host serves `adaptiveCardsBundlePath()`. */
export const ADAPTIVE_CARDS_BUNDLE_URL = '/vendor/adaptivecards.js';

/** JSON array, newest first, of {@link InboxMessage}. */
export const INBOX_MESSAGES_URL = '/inbox/messages';

/** How often the page polls for new messages. */
export const INBOX_REFRESH_MS = 3000;

/** One entry of `GET /inbox/messages`. */
export interface InboxMessage {
  id: string;
  /** ISO 8601 */
  receivedAt: string;
  channel: 'teams' | 'webhook';
  /** For `teams` the Workflows envelope `{type: "message", attachments: [...]}`, else any JSON. */
  body: unknown;
}

/** Absolute path of the browser bundle of `adaptivecards` (UMD, global `AdaptiveCards`). */
export function adaptiveCardsBundlePath(): string {
  return require.resolve('adaptivecards/dist/adaptivecards.min.js');
}

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

/** Embeds a value as a JavaScript literal inside an inline `<script>`, safe against `</script>`. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const PAGE_CONFIG = {
  messagesUrl: INBOX_MESSAGES_URL,
  refreshMs: INBOX_REFRESH_MS,
  hostConfig: teamsHostConfig(),
  maxCardVersion: '1.5',
  maxBodyBytes: 26 * 1024,
  adaptiveCardContentType: 'application/vnd.microsoft.card.adaptive',
};

/*
 * The browser side, plain ES2020 run by the page. Everything that comes from a message is put into
 * the DOM with textContent or handed to the renderer; card markdown goes through `renderMarkdown`,
 * which escapes first and only then adds the few tags Teams supports.
 */
const BROWSER_SCRIPT = `
'use strict';
(function () {
  var CONFIG = ${scriptLiteral(PAGE_CONFIG)};
  var list = document.getElementById('messages');
  var countEl = document.getElementById('count');
  var emptyEl = document.getElementById('empty');
  var loadErrorEl = document.getElementById('load-error');
  var statusEl = document.getElementById('status');
  var noteEl = document.getElementById('note');
  var rendered = new Map();
  var lastText = null;
  var renderCount = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  function errorText(error) {
    if (error && typeof error === 'object' && 'message' in error) return String(error.message);
    return String(error);
  }

  function byteLength(value) {
    try {
      return new TextEncoder().encode(JSON.stringify(value)).length;
    } catch (error) {
      return 0;
    }
  }

  function formatBytes(bytes) {
    return bytes < 1024 ? bytes + ' B' : (bytes / 1024).toFixed(1) + ' KB';
  }

  function versionAbove(version, max) {
    var a = /^(\\d+)\\.(\\d+)$/.exec(String(version));
    var b = /^(\\d+)\\.(\\d+)$/.exec(max);
    if (!a || !b) return false;
    var am = Number(a[1]), an = Number(a[2]), bm = Number(b[1]), bn = Number(b[2]);
    return am > bm || (am === bm && an > bn);
  }

  // ---- Markdown: the subset Teams renders in a TextBlock (bold, italic, links, lists) ----------

  function escapeHtml(text) {
    return text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
  }

  function renderInline(escaped) {
    var links = [];
    // Backslash escapes (\\*, \\_, \\[ ...) show the character itself, as in Teams.
    var literals = [];
    escaped = escaped.replace(/\\\\([\\\\\`*_\\[\\]~])/g, function (_whole, char) {
      literals.push(char);
      return '\\u0001' + (literals.length - 1) + '\\u0001';
    });
    var text = escaped.replace(/\\[([^\\]]+)\\]\\(([^)\\s]+)\\)/g, function (whole, label, url) {
      if (!/^(https?:|mailto:)/i.test(url)) return whole;
      links.push('<a href="' + url + '" rel="noopener noreferrer">' + label + '</a>');
      return '\\u0000' + (links.length - 1) + '\\u0000';
    });
    text = text
      .replace(/\\*\\*(?=\\S)([\\s\\S]*?\\S)\\*\\*/g, '<strong>$1</strong>')
      .replace(/(^|[^\\w*])\\*(?=\\S)([^*]*?\\S)\\*(?![\\w*])/g, '$1<em>$2</em>')
      .replace(/(^|[^\\w])_(?=\\S)([^_]*?\\S)_(?!\\w)/g, '$1<em>$2</em>')
      .replace(/&lt;at&gt;([\\s\\S]*?)&lt;\\/at&gt;/g, '<span class="mention">$1</span>');
    return text
      .replace(/\\u0000(\\d+)\\u0000/g, function (_whole, index) {
        return links[Number(index)];
      })
      .replace(/\\u0001(\\d+)\\u0001/g, function (_whole, index) {
        return literals[Number(index)];
      });
  }

  function renderMarkdown(source) {
    var blocks = escapeHtml(String(source).replace(/\\r\\n?/g, '\\n')).split(/\\n\\s*\\n/);
    return blocks
      .map(function (block) {
        var lines = block.split('\\n').filter(function (line) {
          return line.trim() !== '';
        });
        if (lines.length === 0) return '';
        var bullets = lines.every(function (line) {
          return /^\\s*[-*+]\\s+/.test(line);
        });
        var numbers = lines.every(function (line) {
          return /^\\s*\\d+[.)]\\s+/.test(line);
        });
        if (bullets || numbers) {
          var items = lines.map(function (line) {
            return '<li>' + renderInline(line.replace(/^\\s*([-*+]|\\d+[.)])\\s+/, '')) + '</li>';
          });
          var tag = bullets ? 'ul' : 'ol';
          var start = numbers ? Number(/^\\s*(\\d+)/.exec(lines[0])[1]) : 1;
          var startAttr = tag === 'ol' && start !== 1 ? ' start="' + start + '"' : '';
          return '<' + tag + startAttr + '>' + items.join('') + '</' + tag + '>';
        }
        return '<p>' + renderInline(lines.join('\\n')) + '</p>';
      })
      .join('');
  }

  // ---- Adaptive Cards ------------------------------------------------------------------------

  var AC = window.AdaptiveCards;
  var hostConfig = AC ? new AC.HostConfig(CONFIG.hostConfig) : null;
  if (AC) {
    AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
      result.outputHtml = renderMarkdown(text);
      result.didProcess = true;
    };
  }

  function notice(kind, title, lines) {
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

  function eventName(event) {
    return AC && AC.ValidationEvent && AC.ValidationEvent[event] ? AC.ValidationEvent[event] : 'Problem';
  }

  function hasVisibleContent(node) {
    if (!node) return false;
    if ((node.textContent || '').trim() !== '') return true;
    return !!node.querySelector('img, button, input, select, textarea, [role="button"]');
  }

  function openUrl(url) {
    if (!/^(https?:|mailto:)/i.test(String(url))) {
      setNote('Blocked a link with an unsupported scheme: ' + url);
      return;
    }
    var opened = window.open(url, '_blank', 'noopener,noreferrer');
    if (opened) opened.opener = null;
  }

  function renderCard(content, index, total) {
    var frame = el('div', 'card');
    frame.setAttribute('data-testid', 'card');
    var problems = el('div', 'card-notices');
    var host = el('div', 'card-host');
    frame.appendChild(problems);
    frame.appendChild(host);
    var label = total > 1 ? 'Card ' + (index + 1) + ' of ' + total : 'The card';

    if (!AC) {
      problems.appendChild(
        notice('error', label + ' could not be rendered: the Adaptive Cards renderer did not load.', [
          'Expected it at /vendor/adaptivecards.js.',
        ]),
      );
      return frame;
    }
    if (!isObject(content)) {
      problems.appendChild(notice('error', label + ' is not a JSON object, so Teams cannot show it.'));
      return frame;
    }
    if (isObject(content.msteams) && content.msteams.width === 'Full') {
      frame.classList.add('card-full-width');
    }
    try {
      var card = new AC.AdaptiveCard();
      card.hostConfig = hostConfig;
      card.maxVersion = new AC.Version(1, 5);
      card.onExecuteAction = function (action) {
        var type = action.getJsonTypeName();
        if (type === 'Action.OpenUrl') {
          openUrl(action.url);
        } else {
          setNote(type + ' does nothing here: cards posted through a Workflows webhook cannot use it.');
        }
      };
      var context = new AC.SerializationContext();
      card.parse(content, context);
      var warnings = [];
      for (var i = 0; i < context.eventCount; i++) {
        var event = context.getEventAt(i);
        warnings.push(eventName(event.event) + ': ' + event.message);
      }
      var validation = card.validateProperties();
      (validation.validationEvents || []).forEach(function (event) {
        warnings.push(eventName(event.event) + ': ' + event.message);
      });
      var renderedCard = card.render();
      if (renderedCard) host.appendChild(renderedCard);
      if (!hasVisibleContent(renderedCard)) {
        problems.appendChild(
          notice(
            'error',
            label + ' rendered nothing visible. Teams would show an empty card or refuse it.',
            warnings,
          ),
        );
      } else if (warnings.length) {
        problems.appendChild(
          notice('warning', label + ' has parts the renderer dropped or does not support:', warnings),
        );
      }
    } catch (error) {
      host.textContent = '';
      problems.appendChild(notice('error', label + ' failed to render.', [errorText(error)]));
    }
    return frame;
  }

  function envelopeProblems(body) {
    var problems = [];
    if (!isObject(body)) return ['The body is not a JSON object.'];
    if (body.type !== 'message') problems.push('type must be "message".');
    var attachments = body.attachments;
    if (attachments === undefined && typeof body.text === 'string') return problems;
    if (!Array.isArray(attachments) || attachments.length === 0) {
      problems.push('attachments must be a non-empty array.');
      return problems;
    }
    attachments.forEach(function (attachment, index) {
      var where = 'attachments[' + index + ']';
      if (!isObject(attachment)) {
        problems.push(where + ' is not an object.');
        return;
      }
      if (attachment.contentType !== CONFIG.adaptiveCardContentType) {
        problems.push(where + '.contentType must be "' + CONFIG.adaptiveCardContentType + '".');
      }
      if (isObject(attachment.content) && versionAbove(attachment.content.version, CONFIG.maxCardVersion)) {
        problems.push(
          where + '.content.version ' + attachment.content.version +
            ' is above ' + CONFIG.maxCardVersion + ', the highest Teams supports.',
        );
      }
    });
    return problems;
  }

  function renderTeamsBody(body, target) {
    var bytes = byteLength(body);
    var problems = envelopeProblems(body);
    if (bytes > CONFIG.maxBodyBytes) {
      problems.push(
        'The body is ' + formatBytes(bytes) + ', over the 26 KB budget for Workflows messages.',
      );
    }
    if (problems.length) {
      target.appendChild(notice('warning', 'Teams might not accept this message:', problems));
    }
    if (!isObject(body)) {
      target.appendChild(renderJson(body));
      return;
    }
    if (Array.isArray(body.attachments)) {
      var cards = body.attachments.filter(isObject);
      cards.forEach(function (attachment, index) {
        target.appendChild(renderCard(attachment.content, index, cards.length));
      });
    } else if (typeof body.text === 'string') {
      var text = el('div', 'text-message');
      text.innerHTML = renderMarkdown(body.text);
      target.appendChild(text);
    }
  }

  function renderJson(body) {
    var pre = el('pre', 'json');
    pre.setAttribute('data-testid', 'webhook-json');
    var text;
    try {
      text = JSON.stringify(body, null, 2);
    } catch (error) {
      text = String(body);
    }
    pre.textContent = text === undefined ? 'undefined' : text;
    return pre;
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return String(iso);
    return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }

  function renderMessage(message) {
    var item = el('article', 'message');
    item.setAttribute('data-testid', 'message');
    var valid = isObject(message);
    var channel = valid && (message.channel === 'teams' || message.channel === 'webhook') ? message.channel : 'unknown';
    item.setAttribute('data-channel', channel);
    if (valid && typeof message.id === 'string') item.setAttribute('data-id', message.id);

    var avatar = el('div', 'avatar avatar-' + channel, channel === 'teams' ? 'W' : '{ }');
    avatar.setAttribute('aria-hidden', 'true');
    item.appendChild(avatar);

    var column = el('div', 'message-column');
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'sender', channel === 'teams' ? 'Workflows' : 'Webhook'));
    var time = el('time', 'time', valid ? formatTime(message.receivedAt) : '');
    if (valid && typeof message.receivedAt === 'string') time.setAttribute('datetime', message.receivedAt);
    meta.appendChild(time);
    meta.appendChild(el('span', 'badge badge-' + channel, channel === 'teams' ? 'Teams card' : channel === 'webhook' ? 'Webhook JSON' : 'Unknown'));
    if (valid) meta.appendChild(el('span', 'size', formatBytes(byteLength(message.body))));
    column.appendChild(meta);

    var content = el('div', 'message-body');
    if (channel === 'teams') {
      renderTeamsBody(message.body, content);
    } else if (channel === 'webhook') {
      content.appendChild(renderJson(message.body));
    } else {
      content.appendChild(notice('error', 'Not a message the inbox understands (expected channel "teams" or "webhook").'));
      content.appendChild(renderJson(message));
    }
    column.appendChild(content);
    item.appendChild(column);
    return item;
  }

  // ---- The list --------------------------------------------------------------------------------

  // A message is re-rendered only when its JSON changed; unchanged ones keep their DOM (and any
  // expanded Action.ShowCard or toggled element) across refreshes.
  function keysOf(messages) {
    var seen = new Map();
    return messages.map(function (message) {
      var json = JSON.stringify(message);
      var n = (seen.get(json) || 0) + 1;
      seen.set(json, n);
      return n + '#' + json;
    });
  }

  function newestFirst(messages) {
    return messages
      .map(function (message, index) {
        var time = isObject(message) ? Date.parse(message.receivedAt) : NaN;
        return { message: message, index: index, time: isNaN(time) ? -Infinity : time };
      })
      .sort(function (a, b) {
        return b.time === a.time ? a.index - b.index : b.time > a.time ? 1 : -1;
      })
      .map(function (entry) {
        return entry.message;
      });
  }

  function update(messages) {
    var ordered = newestFirst(messages);
    var next = new Map();
    var keys = keysOf(ordered);
    ordered.forEach(function (message, index) {
      var key = keys[index];
      var node = rendered.get(key) || renderMessage(message);
      next.set(key, node);
    });
    rendered.forEach(function (node, key) {
      if (!next.has(key)) node.remove();
    });
    var position = 0;
    next.forEach(function (node) {
      var current = list.children[position];
      if (current !== node) list.insertBefore(node, current || null);
      position++;
    });
    rendered = next;
    renderCount++;
    document.body.setAttribute('data-render-count', String(renderCount));
    countEl.textContent = ordered.length === 1 ? '1 message' : ordered.length + ' messages';
    emptyEl.hidden = ordered.length !== 0;
  }

  function setStatus(text) {
    statusEl.textContent = text;
  }

  function setNote(text) {
    noteEl.textContent = text;
    noteEl.hidden = false;
  }

  function showLoadError(text) {
    loadErrorEl.textContent = text;
    loadErrorEl.hidden = text === '';
  }

  function refresh() {
    return fetch(CONFIG.messagesUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status + ' ' + response.statusText);
        return response.text();
      })
      .then(function (text) {
        if (text !== lastText) {
          var messages = JSON.parse(text);
          if (!Array.isArray(messages)) throw new Error('expected a JSON array of messages');
          update(messages);
          lastText = text;
        }
        showLoadError('');
        document.body.setAttribute('data-state', 'ready');
        setStatus('Updated ' + new Date().toLocaleTimeString() + ' · refreshes every ' + CONFIG.refreshMs / 1000 + ' s');
      })
      .catch(function (error) {
        document.body.setAttribute('data-state', 'error');
        showLoadError('Could not load ' + CONFIG.messagesUrl + ': ' + errorText(error) + '. Retrying every ' + CONFIG.refreshMs / 1000 + ' s.');
      });
  }

  // One poll at a time; a poll every refreshMs, and one right away when the tab gets focus back.
  var inFlight = null;
  var timer = 0;
  var pollCount = 0;

  function poll() {
    if (inFlight) return inFlight;
    window.clearTimeout(timer);
    inFlight = refresh().then(function () {
      inFlight = null;
      pollCount++;
      document.body.setAttribute('data-poll-count', String(pollCount));
      timer = window.setTimeout(poll, CONFIG.refreshMs);
    });
    return inFlight;
  }

  if (!AC) {
    showLoadError('The Adaptive Cards renderer did not load from /vendor/adaptivecards.js; cards cannot be shown.');
  }
  window.addEventListener('focus', function () {
    poll();
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') poll();
  });
  poll();
})();
`;

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
.banner { margin: 0 0 16px; padding: 10px 14px; border-radius: 6px; border: 1px solid #F3D6D8; background: #FDF3F4; color: #A4262C; font-weight: 600; }
.empty { margin: 48px auto; max-width: 480px; text-align: center; color: var(--subtle); background: #FFFFFF; border: 1px dashed #C7C7C7; border-radius: 8px; padding: 32px 24px; }
.empty strong { display: block; color: var(--text); font-size: 16px; margin-bottom: 8px; }
#messages { display: flex; flex-direction: column; gap: 20px; }
.message { display: flex; gap: 12px; align-items: flex-start; }
.avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; display: flex; align-items: center; justify-content: center; font-weight: 600; font-size: 13px; color: #FFFFFF; background: var(--brand); }
.avatar-webhook, .avatar-unknown { background: #616161; font-family: var(--mono); font-size: 11px; }
.message-column { flex: 1; min-width: 0; }
.meta { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 8px; margin-bottom: 4px; font-size: 12px; color: var(--subtle); }
.meta .sender { font-weight: 600; color: var(--text); font-size: 14px; }
.badge { border-radius: 4px; padding: 0 6px; background: #EBEBF6; color: #444791; font-weight: 600; }
.badge-webhook, .badge-unknown { background: #EDEDED; color: #424242; }
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
  <section class="empty" id="empty" data-testid="empty-state" hidden>
    <strong>No messages yet</strong>
    Run <code>npm run demo</code> to post sample alerts through the enricher; each Teams card and webhook message the dev host receives shows up here within 3 seconds.
  </section>
  <div id="messages" data-testid="messages"></div>
</main>
`;

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The Content-Security-Policy the page declares in a `<meta>` tag: only same-origin scripts plus
 * the one inline script (by hash), same-origin fetches, images from anywhere (cards reference
 * https images). The dev host may send the same value as a response header.
 */
export function inboxContentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${sha256Source(BROWSER_SCRIPT)}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https: http:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The full HTML document served at `GET /`. */
export function renderInboxPage(): string {
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
<body data-state="loading">${BODY}<script src="${ADAPTIVE_CARDS_BUNDLE_URL}"></script>
<script>${BROWSER_SCRIPT}</script>
</body>
</html>
`;
}
