// @ts-check
/*
 * The dev host's inbox page, browser side: plain ES2020 run by the page (served at
 * /inbox/inbox.js), beside the official `adaptivecards` renderer (global `AdaptiveCards`). It polls
 * the messages every few seconds and only touches the DOM when the list changed. Everything that
 * comes from a message is put into the DOM with textContent or handed to the renderer; card
 * markdown goes through `renderMarkdown`, which escapes first and only then adds the few tags
 * Teams supports.
 */
'use strict';
(function () {
  // Settings the dev host puts in the page as JSON (see lib/devhost/inboxPage.ts).
  var configElement = document.getElementById('inbox-config');
  var CONFIG = JSON.parse((configElement && configElement.textContent) || '{}');

  /**
   * @param {string} id
   * @returns {HTMLElement}
   */
  function byId(id) {
    var node = document.getElementById(id);
    if (!node) throw new Error('The inbox page has no #' + id);
    return node;
  }

  var list = byId('messages');
  var countEl = byId('count');
  var emptyEl = byId('empty');
  var loadErrorEl = byId('load-error');
  var statusEl = byId('status');
  var noteEl = byId('note');
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
    } catch {
      return 0;
    }
  }

  function formatBytes(bytes) {
    return bytes < 1024 ? bytes + ' B' : (bytes / 1024).toFixed(1) + ' KB';
  }

  function versionAbove(version, max) {
    var a = /^(\d+)\.(\d+)$/.exec(String(version));
    var b = /^(\d+)\.(\d+)$/.exec(max);
    if (!a || !b) return false;
    var am = Number(a[1]),
      an = Number(a[2]),
      bm = Number(b[1]),
      bn = Number(b[2]);
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
    // Backslash escapes (\*, \_, \[ ...) show the character itself, as in Teams.
    var literals = [];
    escaped = escaped.replace(/\\([\\`*_[\]~])/g, function (_whole, char) {
      literals.push(char);
      return '\u0001' + (literals.length - 1) + '\u0001';
    });
    var text = escaped.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, function (whole, label, url) {
      if (!/^(https?:|mailto:)/i.test(url)) return whole;
      links.push('<a href="' + url + '" rel="noopener noreferrer">' + label + '</a>');
      return '\u0000' + (links.length - 1) + '\u0000';
    });
    text = text
      .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?![\w*])/g, '$1<em>$2</em>')
      .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1<em>$2</em>')
      .replace(/&lt;at&gt;([\s\S]*?)&lt;\/at&gt;/g, '<span class="mention">$1</span>');
    // The NUL and SOH sentinels cannot occur in card text that went through escapeHtml.
    return (
      text
        // eslint-disable-next-line no-control-regex
        .replace(/\u0000(\d+)\u0000/g, function (_whole, index) {
          return links[Number(index)];
        })
        // eslint-disable-next-line no-control-regex
        .replace(/\u0001(\d+)\u0001/g, function (_whole, index) {
          return literals[Number(index)];
        })
    );
  }

  function renderMarkdown(source) {
    var blocks = escapeHtml(String(source).replace(/\r\n?/g, '\n')).split(/\n\s*\n/);
    return blocks
      .map(function (block) {
        var lines = block.split('\n').filter(function (line) {
          return line.trim() !== '';
        });
        if (lines.length === 0) return '';
        var bullets = lines.every(function (line) {
          return /^\s*[-*+]\s+/.test(line);
        });
        var numbers = lines.every(function (line) {
          return /^\s*\d+[.)]\s+/.test(line);
        });
        if (bullets || numbers) {
          var items = lines.map(function (line) {
            return '<li>' + renderInline(line.replace(/^\s*([-*+]|\d+[.)])\s+/, '')) + '</li>';
          });
          var tag = bullets ? 'ul' : 'ol';
          var first = numbers ? /^\s*(\d+)/.exec(lines[0]) : null;
          var start = first ? Number(first[1]) : 1;
          var startAttr = tag === 'ol' && start !== 1 ? ' start="' + start + '"' : '';
          return '<' + tag + startAttr + '>' + items.join('') + '</' + tag + '>';
        }
        return '<p>' + renderInline(lines.join('\n')) + '</p>';
      })
      .join('');
  }

  // ---- Adaptive Cards ------------------------------------------------------------------------

  // The renderer's global, from the `adaptivecards` bundle loaded before this script.
  var AC = /** @type {any} */ (window).AdaptiveCards;
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
    return AC && AC.ValidationEvent && AC.ValidationEvent[event]
      ? AC.ValidationEvent[event]
      : 'Problem';
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
        notice(
          'error',
          label + ' could not be rendered: the Adaptive Cards renderer did not load.',
          ['Expected it at /vendor/adaptivecards.js.'],
        ),
      );
      return frame;
    }
    if (!isObject(content)) {
      problems.appendChild(
        notice('error', label + ' is not a JSON object, so Teams cannot show it.'),
      );
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
          setNote(
            type + ' does nothing here: cards posted through a Workflows webhook cannot use it.',
          );
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
          notice(
            'warning',
            label + ' has parts the renderer dropped or does not support:',
            warnings,
          ),
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
      if (
        isObject(attachment.content) &&
        versionAbove(attachment.content.version, CONFIG.maxCardVersion)
      ) {
        problems.push(
          where +
            '.content.version ' +
            attachment.content.version +
            ' is above ' +
            CONFIG.maxCardVersion +
            ', the highest Teams supports.',
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
    } catch {
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
    var channel =
      valid && (message.channel === 'teams' || message.channel === 'webhook')
        ? message.channel
        : 'unknown';
    item.setAttribute('data-channel', channel);
    if (valid && typeof message.id === 'string') item.setAttribute('data-id', message.id);

    var avatar = el('div', 'avatar avatar-' + channel, channel === 'teams' ? 'W' : '{ }');
    avatar.setAttribute('aria-hidden', 'true');
    item.appendChild(avatar);

    var column = el('div', 'message-column');
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'sender', channel === 'teams' ? 'Workflows' : 'Webhook'));
    var time = el('time', 'time', valid ? formatTime(message.receivedAt) : '');
    if (valid && typeof message.receivedAt === 'string')
      time.setAttribute('datetime', message.receivedAt);
    meta.appendChild(time);
    meta.appendChild(
      el(
        'span',
        'badge badge-' + channel,
        channel === 'teams' ? 'Teams card' : channel === 'webhook' ? 'Webhook JSON' : 'Unknown',
      ),
    );
    if (valid) meta.appendChild(el('span', 'size', formatBytes(byteLength(message.body))));
    column.appendChild(meta);

    var content = el('div', 'message-body');
    if (channel === 'teams') {
      renderTeamsBody(message.body, content);
    } else if (channel === 'webhook') {
      content.appendChild(renderJson(message.body));
    } else {
      content.appendChild(
        notice(
          'error',
          'Not a message the inbox understands (expected channel "teams" or "webhook").',
        ),
      );
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
        setStatus(
          'Updated ' +
            new Date().toLocaleTimeString() +
            ' · refreshes every ' +
            CONFIG.refreshMs / 1000 +
            ' s',
        );
      })
      .catch(function (error) {
        document.body.setAttribute('data-state', 'error');
        showLoadError(
          'Could not load ' +
            CONFIG.messagesUrl +
            ': ' +
            errorText(error) +
            '. Retrying every ' +
            CONFIG.refreshMs / 1000 +
            ' s.',
        );
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
    showLoadError(
      'The Adaptive Cards renderer did not load from /vendor/adaptivecards.js; cards cannot be shown.',
    );
  }
  window.addEventListener('focus', function () {
    poll();
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') poll();
  });
  poll();
})();
