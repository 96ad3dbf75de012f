// @ts-check
/*
 * Polling the dev host for the messages: one poll at a time, one every `refreshMs`, the list
 * updated only when the response text changed, and the page's state, status and load error kept
 * in step.
 */
import { errorText } from './dom.js';

/**
 * `poll()`, which fetches now (or returns the poll in flight) and schedules the next one.
 *
 * @param {{ messagesUrl: string, refreshMs: number }} config
 * @param {(messages: unknown[]) => void} update
 * @param {{ setStatus: (text: string) => void, showLoadError: (text: string) => void }} page
 */
export function createPoller(config, update, page) {
  var lastText = null;

  function refresh() {
    return fetch(config.messagesUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
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
        page.showLoadError('');
        document.body.setAttribute('data-state', 'ready');
        page.setStatus(
          'Updated ' +
            new Date().toLocaleTimeString() +
            ' · refreshes every ' +
            config.refreshMs / 1000 +
            ' s',
        );
      })
      .catch(function (error) {
        document.body.setAttribute('data-state', 'error');
        page.showLoadError(
          'Could not load ' +
            config.messagesUrl +
            ': ' +
            errorText(error) +
            '. Retrying every ' +
            config.refreshMs / 1000 +
            ' s.',
        );
      });
  }

  var inFlight = null;
  var timer = 0;
  var pollCount = 0;

  return function poll() {
    if (inFlight) return inFlight;
    window.clearTimeout(timer);
    inFlight = refresh().then(function () {
      inFlight = null;
      pollCount++;
      document.body.setAttribute('data-poll-count', String(pollCount));
      timer = window.setTimeout(poll, config.refreshMs);
    });
    return inFlight;
  };
}
