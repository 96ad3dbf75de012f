/** The shape of a digest: what every renderer reads. */

import type { TimeWindow } from '../alerts/alert';
import type { QueryLink } from './queryLinks';

export type SectionId =
  'families' | 'flapping' | 'sdks' | 'sites' | 'stopped' | 'incidents' | 'activity';

export interface DigestLine {
  readonly text: string;
  /** The query that shows this line; absent for the enricher's own bookkeeping. */
  readonly link?: QueryLink;
  /** Machine-readable fields of the line (webhook and JSON). */
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

export interface DigestSection {
  readonly id: SectionId;
  readonly title: string;
  /** One sentence over the whole section (uncapped counts). */
  readonly summary: string;
  readonly lines: readonly DigestLine[];
  /** Items beyond the lines listed ("and N more"). */
  readonly more: number;
  /** Why the section has no figures (a failed query), when it has none. */
  readonly missing?: string;
  /** The query behind the whole section, when one query shows every line. */
  readonly link?: QueryLink;
  /** A fixed set of lines (families, activity): never shortened. */
  readonly fixed?: boolean;
}

export interface DigestReport {
  readonly hubResourceId: string;
  readonly hubName: string;
  readonly day: TimeWindow;
  readonly week: TimeWindow;
  readonly headline: string;
  readonly sections: readonly DigestSection[];
  readonly gaps: readonly string[];
  readonly generatedAt: string;
}
