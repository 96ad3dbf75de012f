/**
 * The verdict fields added for fleets: "did not reconnect" (a token that expired without a way
 * back is urgent), and the signal that would have changed a low-confidence verdict. Every format
 * shows them, and the webhook JSON stays valid against its schema.
 */

import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import { renderAlertCard } from '../../../lib/render/teamsCards';
import { renderText } from '../../../lib/render/text';
import { alertMessage } from '../../../lib/incidents/outgoingMessage';
import { alertData, renderWebhookEvent } from '../../../lib/render/webhookPayload';
import { validateAdaptiveCard } from '../../support/adaptiveCardSchema';
import { adaptiveCardsParserProblems } from '../../support/adaptiveCardsParser';
import { validateWebhookEvent } from '../../support/webhookSchema';
import { deviceAlert, event, quietFleet, reportFor } from '../../support/scenario';

let expired: EnrichedAlert;
let unsure: EnrichedAlert;

beforeAll(async () => {
  // The hub closes an expired token (401003, then 404104) one lifetime after the connect, and
  // the device makes no further attempt (one that keeps being refused is credential-rejected).
  const noReturn = [
    ...quietFleet(20),
    event('rtos-7', 0, 'connect'),
    event('rtos-7', 66, '401003'),
    event('rtos-7', 66.05, '404104'),
  ];
  expired = await reportFor(deviceAlert(['rtos-7'], 60, 75), noReturn);
  // One drop, a quick return, nothing else: the verdict is a guess.
  unsure = await reportFor(deviceAlert(['d9'], 90, 105), [
    ...quietFleet(20),
    event('d9', 10, 'connect'),
    event('d9', 100, '404104'),
    event('d9', 100.5, 'connect'),
  ]);
});

function card(report: EnrichedAlert): Record<string, unknown> {
  const content = renderAlertCard(report).attachments[0]?.content;
  if (!content) throw new Error('no card');
  return content;
}

describe('a SAS token that expired without a way back', () => {
  test('is sas-token-expiry with reconnected false, urgent, with app-side actions', () => {
    const diagnosis = expired.diagnosis;
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', reconnected: false });
    expect(diagnosis?.summary).toMatch(/device app's token renewal or reconnect logic/);
    expect(diagnosis?.summary).not.toMatch(/no token expiry/i);
    expect(diagnosis?.actions.join(' ')).toMatch(/renew the SAS token before it expires/);
    expect(diagnosis?.actions.join(' ')).toMatch(/back-off/);
  });

  test('the card is red (attention), says it did not reconnect, and is a valid card', () => {
    const content = card(expired);
    const header = (content.body as Record<string, unknown>[])[0];
    expect(header).toMatchObject({ style: 'attention' });
    expect(JSON.stringify(content)).toContain('SAS token expired and the device did not reconnect');
    expect(JSON.stringify(content)).toContain('no: still offline');
    expect(validateAdaptiveCard(content).errors).toEqual([]);
    expect(adaptiveCardsParserProblems(content)).toEqual([]);
  });

  test('the webhook carries urgency critical and reconnected false, valid against the schema', () => {
    const payload = JSON.parse(
      JSON.stringify(renderWebhookEvent(alertMessage(expired), '2026-11-20T09:00:00.000Z')),
    ) as { data: { diagnosis: Record<string, unknown> } };
    expect(payload.data.diagnosis).toMatchObject({
      cause: 'sas-token-expiry',
      urgency: 'critical',
      reconnected: false,
      wouldChange: null,
    });
    const validate = validateWebhookEvent;
    expect(validate(payload)).toBe(true);
    payload.data.diagnosis.reconnected = 'no';
    expect(validate(payload)).toBe(false);
  });

  test('the text says it too', () => {
    const text = renderText(expired);
    expect(text.split('\n')[0]).toBe('SAS token expired and the device did not reconnect');
    expect(text).toContain('Reconnected: no');
  });
});

describe('a low-confidence verdict', () => {
  test('names the signal that would have changed it, in every format', () => {
    const diagnosis = unsure.diagnosis;
    expect(diagnosis?.confidence).toBeLessThan(0.6);
    expect(diagnosis?.wouldChange).toMatch(/401003/);
    expect(renderText(unsure)).toContain(`Not sure: ${diagnosis?.wouldChange ?? ''}`);
    expect(JSON.stringify(card(unsure))).toContain('Not sure: ');
    expect(alertData(unsure).diagnosis?.wouldChange).toBe(diagnosis?.wouldChange);
    expect(validateAdaptiveCard(card(unsure)).errors).toEqual([]);
  });

  test('a confident verdict carries no such note', () => {
    expect(expired.diagnosis?.wouldChange).toBeUndefined();
    expect(renderText(expired)).not.toContain('Not sure:');
  });
});
