// @ts-check
/*
 * The list of messages, newest first. A message is re-rendered only when its JSON changed;
 * unchanged ones keep their DOM (and any expanded Action.ShowCard or toggled element) across
 * refreshes. With a receiver picked, the others' messages stay in the list, hidden.
 */
import { isObject } from './dom.js';

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

/**
 * `update(messages, receiver)`, which brings `list` (and the count and empty state) in line with
 * the messages, touching only the entries that changed, and shows only `receiver`'s when given.
 *
 * @param {{ list: HTMLElement, countEl: HTMLElement, emptyEl: HTMLElement }} elements
 * @param {(message: unknown) => HTMLElement} renderMessage
 */
export function createList(elements, renderMessage) {
  var list = elements.list;
  var countEl = elements.countEl;
  var emptyEl = elements.emptyEl;
  var rendered = new Map();
  var renderCount = 0;

  return function update(messages, receiver) {
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
    var shown = 0;
    next.forEach(function (node) {
      node.hidden = !!receiver && node.getAttribute('data-receiver') !== receiver;
      if (!node.hidden) shown++;
    });
    renderCount++;
    document.body.setAttribute('data-render-count', String(renderCount));
    var total = ordered.length === 1 ? '1 message' : ordered.length + ' messages';
    countEl.textContent = receiver ? shown + ' of ' + total + ' · to ' + receiver : total;
    emptyEl.hidden = shown !== 0;
  };
}
