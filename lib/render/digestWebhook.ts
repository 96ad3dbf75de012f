/**
 * The digest as a webhook event: `digest.daily` in the version 3 envelope every webhook body
 * shares (`schemas/webhook-v4.schema.json`), so a consumer switches on `event` as for alerts and
 * incidents. The id is stable per hub and day: a retried digest carries the same id.
 */

import type { DigestReport, SectionId } from '../digest/digestReport';
import { WEBHOOK_SCHEMA, WEBHOOK_VERSION } from './webhookPayload';

/** `data` of `digest.daily`. */
export interface DigestData {
  readonly hub: { readonly resourceId: string; readonly name: string };
  readonly day: { readonly start: string; readonly end: string };
  readonly week: { readonly start: string; readonly end: string };
  readonly sections: readonly {
    readonly id: SectionId;
    readonly title: string;
    readonly summary: string;
    readonly more: number;
    readonly missing: string | null;
    readonly lines: readonly {
      readonly text: string;
      readonly query: string | null;
      readonly url: string | null;
      readonly data: Readonly<Record<string, string | number | boolean | null>>;
    }[];
  }[];
  readonly gaps: readonly string[];
  readonly generatedAt: string;
}

export interface DigestWebhookEvent {
  readonly $schema: string;
  readonly version: typeof WEBHOOK_VERSION;
  readonly event: 'digest.daily';
  readonly id: string;
  readonly title: string;
  readonly sentAt: string;
  readonly data: DigestData;
}

/** `digest-<hub name>-<day>`: IoT hub names are globally unique (`<name>.azure-devices.net`). */
function digestMessageId(report: DigestReport): string {
  return `digest-${report.hubName.toLowerCase()}-${report.day.start.slice(0, 10)}`;
}

export function renderDigestWebhookEvent(report: DigestReport, sentAt: string): DigestWebhookEvent {
  return {
    $schema: WEBHOOK_SCHEMA,
    version: WEBHOOK_VERSION,
    event: 'digest.daily',
    id: digestMessageId(report),
    title: report.headline,
    sentAt,
    data: {
      hub: { resourceId: report.hubResourceId, name: report.hubName },
      day: report.day,
      week: report.week,
      sections: report.sections.map((section) => ({
        id: section.id,
        title: section.title,
        summary: section.summary,
        more: section.more,
        missing: section.missing ?? null,
        lines: section.lines.map((line) => ({
          text: line.text,
          query: line.link?.query ?? null,
          url: line.link?.url ?? null,
          data: line.data,
        })),
      })),
      gaps: report.gaps,
      generatedAt: report.generatedAt,
    },
  };
}
