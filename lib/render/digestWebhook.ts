/**
 * The digest as a webhook event: `digest.daily`, version 2, described by
 * `schemas/webhook-digest-v2.schema.json` (the v2 envelope carries an `event` name).
 */

import type { DigestReport, SectionId } from '../digest/digestReport';

export const DIGEST_WEBHOOK_SCHEMA =
  'https://github.com/iothub-alert-enricher/schemas/webhook-digest-v2.schema.json';

export interface DigestWebhookEvent {
  readonly $schema: string;
  readonly event: 'digest.daily';
  readonly version: 2;
  readonly title: string;
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

export function renderDigestWebhookEvent(report: DigestReport): DigestWebhookEvent {
  return {
    $schema: DIGEST_WEBHOOK_SCHEMA,
    event: 'digest.daily',
    version: 2,
    title: report.headline,
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
  };
}
