/**
 * A second opinion on a card, from the official `adaptivecards` library (the renderer the dev
 * host's inbox loads). Its parser runs in Node without a browser: it reports unknown element and
 * action types, invalid property values and missing required properties as validation events,
 * which the JSON Schema cannot always see (for example an enum spelled with another case).
 *
 * The package's `lib/` entry is ESM with extensionless imports that Node cannot resolve, so the
 * self-contained UMD build in `dist/` is loaded instead; its types are the package's own.
 */

import type * as AdaptiveCardsModule from 'adaptivecards';

import { chartProblems, TEAMS_CHART_TYPES } from './cardFallback';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the UMD build has no ESM entry
const AdaptiveCards = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsModule;

/**
 * Problems the official parser finds in a card, as `"<EventName>: <message>"`; empty when it
 * parses cleanly. Teams' `msteams` root extension is not the parser's business and is ignored.
 */
export function adaptiveCardsParserProblems(card: unknown): string[] {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    return ['the card must be an object'];
  }
  const context = new AdaptiveCards.SerializationContext();
  const parsed = new AdaptiveCards.AdaptiveCard();
  parsed.parse(card, context);
  const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i));
  events.push(...parsed.validateProperties().validationEvents);
  // A Teams chart with a fallback is expected to be unknown here: the parser uses the fallback.
  const expected = (event: { event: number; message: string }): boolean =>
    AdaptiveCards.ValidationEvent[event.event] === 'UnknownElementType' &&
    TEAMS_CHART_TYPES.some((type) => event.message.includes(`"${type}"`)) &&
    chartProblems(card).length === 0;
  return [
    ...new Set(
      events
        .filter((event) => !expected(event))
        .map((event) => `${AdaptiveCards.ValidationEvent[event.event]}: ${event.message}`),
    ),
  ];
}
