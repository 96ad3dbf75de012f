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
  return [
    ...new Set(
      events.map((event) => `${AdaptiveCards.ValidationEvent[event.event]}: ${event.message}`),
    ),
  ];
}
