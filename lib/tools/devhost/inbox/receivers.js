// @ts-check
/*
 * The receivers bar above the messages: one button per receiver (those the dev host is configured
 * with, and any a message names), each with its count, and "All receivers". Picking one shows
 * only its messages; the pick is kept in the address (#receiver=NAME), so a link or a reload
 * keeps it. Hidden while there is only one receiver to tell apart.
 */
import { el, isObject } from './dom.js';

var HASH = /^#receiver=([a-z][a-z0-9-]{0,30})$/;

function receiverOf(message) {
  if (!isObject(message)) return 'unknown';
  if (typeof message.receiver === 'string' && message.receiver !== '') return message.receiver;
  return typeof message.channel === 'string' ? message.channel : 'unknown';
}

/**
 * `{ update(messages), selected() }`: `update` redraws the bar for the messages, `selected` is the
 * picked receiver's name, or null for all.
 *
 * @param {{ receivers?: { name: string, type: string }[] }} config
 * @param {HTMLElement} bar
 * @param {() => void} onChange called after the pick changed
 */
export function createReceiverFilter(config, bar, onChange) {
  var configured = Array.isArray(config.receivers) ? config.receivers : [];
  /** @type {unknown[]} */
  var last = [];
  /** @type {string | null} */
  var selected = fromHash();

  function fromHash() {
    var match = HASH.exec(window.location.hash);
    return match ? match[1] : null;
  }

  function typeOf(name) {
    var found = configured.find(function (receiver) {
      return receiver.name === name;
    });
    return found ? found.type : '';
  }

  /**
   * @param {string | null} name
   * @param {string} label
   * @param {number} count
   */
  function button(name, label, count) {
    var node = el('button');
    node.type = 'button';
    node.setAttribute('data-testid', 'receiver-filter');
    node.setAttribute('data-receiver', name === null ? '' : name);
    node.setAttribute('aria-pressed', String(selected === name));
    node.appendChild(el('span', 'name', label));
    var type = name === null ? '' : typeOf(name);
    node.appendChild(el('span', 'type', (type ? ' · ' + type : '') + ' · ' + count));
    node.addEventListener('click', function () {
      select(name);
    });
    return node;
  }

  function draw() {
    /** @type {Map<string, number>} */
    var counts = new Map();
    configured.forEach(function (receiver) {
      counts.set(receiver.name, 0);
    });
    last.forEach(function (message) {
      var name = receiverOf(message);
      counts.set(name, (counts.get(name) || 0) + 1);
    });
    if (selected !== null && !counts.has(selected)) counts.set(selected, 0);
    bar.textContent = '';
    bar.hidden = counts.size < 2;
    if (bar.hidden) return;
    bar.appendChild(button(null, 'All receivers', last.length));
    counts.forEach(function (count, name) {
      bar.appendChild(button(name, name, count));
    });
  }

  /** @param {string | null} name */
  function select(name) {
    if (name === selected) return;
    selected = name;
    var url = window.location.pathname + window.location.search;
    window.history.replaceState(null, '', name === null ? url : url + '#receiver=' + name);
    draw();
    onChange();
  }

  window.addEventListener('hashchange', function () {
    var next = fromHash();
    if (next === selected) return;
    selected = next;
    draw();
    onChange();
  });

  return {
    /** @param {unknown[]} messages */
    update: function (messages) {
      last = messages;
      draw();
    },
    selected: function () {
      return selected;
    },
  };
}
