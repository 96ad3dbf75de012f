// @ts-check
/*
 * A Teams message body, as the Workflows webhook would take it: the envelope checked against what
 * Teams accepts (type, attachments, content type, card version, size), then each card, or the
 * markdown of a plain text message.
 */
import { byteLength, el, formatBytes, isObject, notice } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { renderJson } from './webhook.js';

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

/**
 * `renderTeamsBody(body, target)`, which appends the message's notices and cards to `target`.
 *
 * @param {{ adaptiveCardContentType: string, maxCardVersion: string, maxBodyBytes: number }} config
 * @param {(content: unknown, index: number, total: number) => HTMLElement} renderCard
 */
export function createTeamsRenderer(config, renderCard) {
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
      if (attachment.contentType !== config.adaptiveCardContentType) {
        problems.push(where + '.contentType must be "' + config.adaptiveCardContentType + '".');
      }
      if (
        isObject(attachment.content) &&
        versionAbove(attachment.content.version, config.maxCardVersion)
      ) {
        problems.push(
          where +
            '.content.version ' +
            attachment.content.version +
            ' is above ' +
            config.maxCardVersion +
            ', the highest Teams supports.',
        );
      }
    });
    return problems;
  }

  return function renderTeamsBody(body, target) {
    var bytes = byteLength(body);
    var problems = envelopeProblems(body);
    if (bytes > config.maxBodyBytes) {
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
  };
}
