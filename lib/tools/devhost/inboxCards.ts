/**
 * What a Teams card in the dev host's inbox is, read from the card as Teams would show it (the
 * renderer's headlines and subtitles, lib/render/teamsCards.ts): for the demos' tallies.
 */

export type CardKind =
  | 'alert'
  | 'renewal-line'
  | 'follow-up'
  | 'incident-opened'
  | 'incident-updated'
  | 'incident-closed'
  | 'other';

interface Element {
  readonly type?: string;
  readonly text?: string;
  readonly items?: readonly Element[];
}

function contentOf(body: unknown): { readonly body?: readonly Element[] } | undefined {
  const attachments = (body as { attachments?: { content?: unknown }[] } | null)?.attachments;
  return attachments?.[0]?.content as { body?: readonly Element[] } | undefined;
}

/** The card's headline (the first line of its header), or '' when it has none. */
export function cardTitle(body: unknown): string {
  return contentOf(body)?.body?.[0]?.items?.[0]?.text ?? '';
}

export function cardKind(body: unknown): CardKind {
  const content = contentOf(body);
  const first = content?.body?.[0];
  if (first === undefined) return 'other';
  // The compact SAS renewal is one subtle line, with no header.
  if (first.type === 'TextBlock' && content?.body?.length === 1) return 'renewal-line';
  if (JSON.stringify(content).includes('"Incident opened: ')) return 'incident-opened';
  const title = cardTitle(body);
  const subtitle = first.items?.[1]?.text ?? '';
  if (title.startsWith('Incident update:')) return 'incident-updated';
  if (title.startsWith('Incident closed:')) return 'incident-closed';
  if (title.startsWith('Resolved:')) return 'follow-up';
  if (subtitle.includes(' · Fired · ')) return 'alert';
  return 'other';
}

/** Whether the card names the device anywhere (headline, facts, evidence). */
export function cardNames(body: unknown, deviceId: string): boolean {
  return new RegExp(`\\b${deviceId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(
    JSON.stringify(contentOf(body) ?? {}),
  );
}
