/** A notice is one line, and what people typed into it is never rendered as markup. */

import { noticeMessageId } from '../../../lib/incidents/outgoingMessage';
import { renderTeamsCard } from '../../../lib/render/teamsCards';
import { renderWebhookEvent } from '../../../lib/render/webhookPayload';
import { validateAdaptiveCard } from '../../support/adaptiveCardSchema';
import { validateWebhookEvent } from '../../support/webhookSchema';

const notice = {
  kind: 'notice' as const,
  id: noticeMessageId('silence.created', 's1'),
  event: 'silence.created' as const,
  text: 'Silenced by [ana](https://evil.example) **now**: device=pump_7 until 08:00 UTC (“<b>hi</b>”).',
  subject: 's1',
  by: 'ana',
  at: '2026-11-20T06:00:00.000Z',
};

test('the Teams card is one text block with the Markdown characters escaped', () => {
  const card = renderTeamsCard(notice).attachments[0]?.content as { body: { text: string }[] };
  expect(validateAdaptiveCard(card).errors).toEqual([]);
  expect(card.body).toHaveLength(1);
  expect(card.body[0]?.text).toBe(
    'Silenced by \\[ana\\](https://evil.example) \\*\\*now\\*\\*: device=pump\\_7 until 08:00 UTC (“\\<b\\>hi\\</b\\>”).',
  );
});

test('the webhook event is valid against schema v4 and carries the plain text', () => {
  const event = renderWebhookEvent(notice, '2026-11-20T06:00:01.000Z');
  expect(validateWebhookEvent(event)).toBe(true);
  expect(event).toMatchObject({
    event: 'silence.created',
    version: 4,
    data: { text: notice.text },
  });
});
