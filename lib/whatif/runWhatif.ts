/**
 * `enricher whatif`'s use case: recorded alerts, diagnosed once over the recorded evidence (a
 * Log Analytics export, or the workspace), replayed through two configurations — the deployed
 * one and a candidate — and compared. The incident clocks run on the alerts' own times.
 */

import type { Alert } from '../alerts/alert';
import { buildReport } from '../app/enrichAlert';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { EvidenceSources } from '../evidence/gatherEvidence';
import { compareSides, type WhatifReport } from './compare';
import { replayMetrics } from './replayMetrics';
import { type ReplayedAlert, simulateSide } from './simulate';
import { type SilenceSpec, silencesOf, type WhatifSide } from './whatifSettings';

export interface RecordedAlert {
  readonly alert: Alert;
  /** When the app took it (the archive says); otherwise its own fired or resolved time. */
  readonly receivedAt?: Date;
  /** Where it came from (a file), for messages. */
  readonly source: string;
}

export interface WhatifInput {
  readonly alerts: readonly RecordedAlert[];
  readonly sources: EvidenceSources;
  readonly lookbackMinutes: number;
  readonly deployed: WhatifSide;
  readonly candidate: WhatifSide;
  /** Alerts that could not be read, reported with the result. */
  readonly skipped?: WhatifReport['skipped'];
}

/** When the alert was handled: as the archive recorded it, or as the alert says. */
export function handledAt(recorded: RecordedAlert): Date {
  if (recorded.receivedAt) return recorded.receivedAt;
  const { alert } = recorded;
  return new Date(
    alert.condition === 'Resolved' ? (alert.resolvedAt ?? alert.firedAt) : alert.firedAt,
  );
}

/** Diagnoses each alert once; one that fails to enrich is replayed un-enriched, as the app posts it. */
async function diagnoseAll(
  input: WhatifInput,
  skipped: WhatifReport['skipped'][number][],
): Promise<ReplayedAlert[]> {
  const ordered = input.alerts
    .map((recorded, index) => ({ recorded, index, at: handledAt(recorded) }))
    .filter(({ recorded, at }) => {
      if (!Number.isNaN(at.getTime())) return true;
      skipped.push({ source: recorded.source, problem: 'has no valid fired or resolved time' });
      return false;
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.index - b.index);
  const replayed: ReplayedAlert[] = [];
  for (const { recorded, at } of ordered) {
    let report: EnrichedAlert;
    try {
      report = await buildReport(recorded.alert, {
        sources: input.sources,
        lookbackMinutes: input.lookbackMinutes,
        now: () => at,
      });
    } catch (error: unknown) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      report = {
        alert: recorded.alert,
        notEnrichedReason: reason.slice(0, 300),
        enrichedAt: at.toISOString(),
      };
    }
    replayed.push({ report, at });
  }
  return replayed;
}

export async function runWhatif(
  input: WhatifInput,
  deployedSilences: readonly SilenceSpec[] = [],
): Promise<WhatifReport> {
  const skipped = [...(input.skipped ?? [])];
  const alerts = await diagnoseAll(input, skipped);
  const from = alerts[0]?.at ?? new Date(0);
  const deployedSpecs = input.deployed.silences ?? deployedSilences;
  const candidateSpecs = input.candidate.silences ?? deployedSpecs;
  // One read per incident's window instead of one per simulated minute (see replayMetrics).
  const metrics = input.sources.metrics && replayMetrics(input.sources.metrics);
  const deployed = await simulateSide(
    alerts,
    input.deployed,
    silencesOf(deployedSpecs, input.deployed.label, from),
    metrics,
  );
  const candidate = await simulateSide(
    alerts,
    input.candidate,
    silencesOf(candidateSpecs, input.candidate.label, from),
    metrics,
  );
  return compareSides(deployed, candidate, skipped);
}
