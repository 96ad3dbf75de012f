// @ts-check
/*
 * One entry of the inbox: the sender's avatar, the receiver it was posted to, the time, a badge,
 * the signature check of a signed receiver and the size, then the body as a Teams message, webhook
 * JSON, or a notice that the inbox does not understand it.
 */
import { byteLength, el, formatBytes, isObject, notice } from './dom.js';
import { renderJson } from './webhook.js';

function formatTime(iso) {
  var date = new Date(iso);
  if (isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/**
 * `renderMessage(message)`, an `<article>` for one entry of `GET /inbox/messages`.
 *
 * @param {(body: unknown, target: HTMLElement) => void} renderTeamsBody
 */
export function createMessageRenderer(renderTeamsBody) {
  return function renderMessage(message) {
    var item = el('article', 'message');
    item.setAttribute('data-testid', 'message');
    var valid = isObject(message);
    var channel =
      valid && (message.channel === 'teams' || message.channel === 'webhook')
        ? message.channel
        : 'unknown';
    item.setAttribute('data-channel', channel);
    // A message from a host that does not name receivers went to its channel's one.
    var receiver =
      valid && typeof message.receiver === 'string' && message.receiver !== ''
        ? message.receiver
        : channel;
    item.setAttribute('data-receiver', receiver);
    if (valid && typeof message.id === 'string') item.setAttribute('data-id', message.id);

    var avatar = el('div', 'avatar avatar-' + channel, channel === 'teams' ? 'W' : '{ }');
    avatar.setAttribute('aria-hidden', 'true');
    item.appendChild(avatar);

    var column = el('div', 'message-column');
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'sender', channel === 'teams' ? 'Workflows' : 'Webhook'));
    var to = el('span', 'receiver', 'to ' + receiver);
    to.setAttribute('data-testid', 'receiver');
    to.setAttribute('title', 'Posted to the receiver ' + receiver);
    meta.appendChild(to);
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
    if (valid && typeof message.signature === 'string') {
      var good = message.signature === 'valid';
      var signature = el(
        'span',
        good ? 'signature-valid' : 'signature-invalid',
        good ? 'Signature valid' : 'Signature ' + message.signature,
      );
      signature.setAttribute('data-testid', 'signature');
      meta.appendChild(signature);
    }
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
  };
}
