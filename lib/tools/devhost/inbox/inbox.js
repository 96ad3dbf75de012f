// @ts-check
/*
 * The dev host's inbox page, browser side: the module the page loads (served at /inbox/inbox.js)
 * after the official `adaptivecards` renderer (global `AdaptiveCards`). It reads the page's
 * settings and elements and wires the renderers of this folder to the poller. Everything that
 * comes from a message is put into the DOM with textContent or handed to the renderer; card
 * markdown goes through `markdown.js`, which escapes first and only then adds the few tags Teams
 * supports.
 */
import { createCardRenderer } from './card.js';
import { createList } from './list.js';
import { createMessageRenderer } from './message.js';
import { createPoller } from './poll.js';
import { createReceiverFilter } from './receivers.js';
import { createSilencesPanel } from './silences.js';
import { createTeamsRenderer } from './teams.js';

// Settings the dev host puts in the page as JSON (see lib/tools/devhost/inboxPage.ts).
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

// The renderer's global, from the `adaptivecards` bundle loaded before this module.
var AC = /** @type {any} */ (window).AdaptiveCards;
var renderCard = createCardRenderer(AC, CONFIG.hostConfig, setNote);
var renderMessage = createMessageRenderer(createTeamsRenderer(CONFIG, renderCard));
var renderList = createList({ list: list, countEl: countEl, emptyEl: emptyEl }, renderMessage);
/** @type {unknown[]} */
var lastMessages = [];
var receiverFilter = createReceiverFilter(CONFIG, byId('receivers'), function () {
  renderList(lastMessages, receiverFilter.selected());
});
/** @param {unknown[]} messages */
function update(messages) {
  lastMessages = messages;
  receiverFilter.update(messages);
  renderList(messages, receiverFilter.selected());
}
var poll = createPoller(CONFIG, update, { setStatus: setStatus, showLoadError: showLoadError });
var refreshSilences = createSilencesPanel(CONFIG, byId('silences'));

if (!AC) {
  showLoadError(
    'The Adaptive Cards renderer did not load from /vendor/adaptivecards.js; cards cannot be shown.',
  );
}
// A poll right away when the tab gets focus back.
window.addEventListener('focus', function () {
  poll();
  refreshSilences();
});
document.addEventListener('visibilitychange', function () {
  if (document.visibilityState === 'visible') poll();
});
poll();
refreshSilences();
window.setInterval(refreshSilences, CONFIG.refreshMs);
