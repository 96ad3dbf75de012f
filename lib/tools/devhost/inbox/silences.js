// @ts-check
/*
 * The active silences above the messages: what the channel is not being told right now (made
 * from a card's Mute link, the API or the CLI). Read from the dev host; hidden when there are none.
 */
import { el, errorText } from './dom.js';

/**
 * @param {{ matchers: string[], endsAt: string, untilResolved?: { kind: string, id: string },
 *   createdBy: string, held: number }} s
 */
function line(s) {
  var until = s.untilResolved
    ? 'until the ' + s.untilResolved.kind + ' is resolved'
    : 'until ' + s.endsAt.slice(11, 16) + ' UTC';
  var what = s.matchers.length ? s.matchers.join(', ') : 'everything';
  return what + ' · ' + until + ' · by ' + s.createdBy + ' · held ' + s.held;
}

/**
 * `refresh()` reads the list and redraws the panel (text only, never markup).
 *
 * @param {{ silencesUrl?: string }} config
 * @param {HTMLElement} panel
 */
export function createSilencesPanel(config, panel) {
  return function refresh() {
    if (!config.silencesUrl) return Promise.resolve();
    return fetch(config.silencesUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (response) {
        // A host without the list (an older one) simply shows none.
        if (response.status === 404) return { silences: [] };
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (body) {
        var silences = body && Array.isArray(body.silences) ? body.silences : [];
        panel.textContent = '';
        panel.hidden = silences.length === 0;
        if (silences.length === 0) return;
        panel.appendChild(
          el(
            'strong',
            null,
            silences.length === 1 ? '1 active silence' : silences.length + ' active silences',
          ),
        );
        var list = el('ul');
        silences.forEach(function (s) {
          var item = el('li', null, line(s));
          item.setAttribute('data-testid', 'silence');
          list.appendChild(item);
        });
        panel.appendChild(list);
      })
      .catch(function (error) {
        panel.hidden = false;
        panel.textContent = 'Could not read the silences: ' + errorText(error);
      });
  };
}
