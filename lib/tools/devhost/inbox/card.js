// @ts-check
/*
 * One Adaptive Card, rendered by the official `adaptivecards` renderer with a Teams host config,
 * and what Teams would make of it: an error when nothing visible is left, a warning for each part
 * the renderer dropped. Links open only for http(s) and mailto; other actions say they do nothing.
 */
import { el, errorText, isObject, notice } from './dom.js';
import { renderMarkdown } from './markdown.js';

/**
 * The card renderer, `renderCard(content, index, total)`, for the renderer's global `AC`
 * (undefined when the bundle did not load). It also hands the renderer the Teams markdown.
 *
 * @param {any} AC
 * @param {unknown} hostConfigJson
 * @param {(text: string) => void} setNote shows a line in the page header
 */
export function createCardRenderer(AC, hostConfigJson, setNote) {
  var hostConfig = AC ? new AC.HostConfig(hostConfigJson) : null;
  if (AC) {
    AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
      result.outputHtml = renderMarkdown(text);
      result.didProcess = true;
    };
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

  return function renderCard(content, index, total) {
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
        // Teams draws its charts; here, as in other hosts, their fallback renders instead.
        if (/^Unknown element type "Chart\./.test(event.message)) continue;
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
  };
}
