import { enrichAlert } from '../../lib/app/enrichAlert';
import type { EvidenceSource } from '../../lib/evidence/evidenceSource';
import { silentLogger } from '../../lib/common/logger';
import type { PostReceipt } from '../../lib/notify/httpDelivery';
import type { Notifier } from '../../lib/notify/notifier';
import { renderMessageBody } from '../../lib/render/messageBody';
import { inMemoryWorkerState } from '../../lib/state/memory/memoryState';
import { renderAlertCard } from '../../lib/render/teamsCards';
import { renderText } from '../../lib/render/text';
import { alertMessage } from '../../lib/incidents/outgoingMessage';
import { renderWebhookEvent } from '../../lib/render/webhookPayload';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { deviceAlert } from '../support/scenario';

class RecordingNotifier implements Notifier {
  readonly name = 'recording';
  readonly format = 'webhook';
  readonly sent: string[] = [];
  async post(body: string): Promise<PostReceipt> {
    this.sent.push(body);
    return { status: 202, posts: 1, unknownOutcomes: 0 };
  }
}

/** A source that answers with garbage: the shape of a bug or a corrupt export. */
const corrupt: EvidenceSource = {
  deviceTimeline: () => Promise.resolve({ value: null as unknown as [] }),
  fleetActivity: () => Promise.resolve({ value: [] }),
  fleetSize: () => Promise.resolve({ value: 0 }),
  disconnectedDevices: () => Promise.resolve({ value: { rows: [], total: 0 } }),
  deviceHistory: () => Promise.resolve({ value: [] }),
};

describe('enrichAlert', () => {
  test('when enrichment itself fails, the alert is still delivered, plainly, with the reason', async () => {
    const notifier = new RecordingNotifier();
    const errors: unknown[] = [];
    const report = await enrichAlert(deviceAlert(['d1'], 0, 15), {
      sources: { evidence: corrupt },
      notifiers: [notifier],
      lookbackMinutes: 60,
      log: { ...silentLogger, error: (...args: unknown[]) => errors.push(args) },
      now: () => new Date('2026-11-20T00:16:00Z'),
      state: inMemoryWorkerState(),
    });
    expect(notifier.sent).toEqual([
      renderMessageBody('webhook', alertMessage(report), '2026-11-20T00:16:00.000Z'),
    ]);
    expect(report.diagnosis).toBeUndefined();
    expect(report.notEnrichedReason).toMatch(/TypeError/);
    expect(errors).toHaveLength(1);

    expect(renderText(report)).toMatch(/^iothub-device-disconnected-404104 \(not enriched\)/);
    expect(renderText(report)).toMatch(/could not analyse this alert \(TypeError/);
    expect(renderWebhookEvent(alertMessage(report), report.enrichedAt).data.notice).toMatch(
      /could not analyse/,
    );
    expect(validateAdaptiveCard(renderAlertCard(report).attachments[0]?.content).valid).toBe(true);
  });
});
