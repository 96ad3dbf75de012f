/**
 * A logger for in-process benchmark runs that keeps what the pipeline decided, not every line:
 * each alert's verdict and the incident policy's decision, counted, and the problems it logged.
 */

import type { Logger } from '../../common/logger';

/** `Alert <id> Fired: <cause> (<scope>, confidence <n>): <note>` (incidentFlow.ts). */
const DECISION = /^Alert \S+ (\w+): (\S+) \((\w+), confidence [\d.]+\): (\S+(?: \S+)?)/;

export interface DecisionLog extends Logger {
  /** `iot-hub-transient (fleet) → opened incident`, counted. */
  decisions(): Readonly<Record<string, number>>;
  /** Warnings and errors, counted by their first 120 characters. */
  problems(): Readonly<Record<string, number>>;
}

export function decisionLog(): DecisionLog {
  const decisions: Record<string, number> = {};
  const problems: Record<string, number> = {};
  const problem = (...args: unknown[]): void => {
    const text = args.map(String).join(' ').slice(0, 120);
    problems[text] = (problems[text] ?? 0) + 1;
  };
  return {
    info: (...args) => {
      const match = DECISION.exec(args.map(String).join(' '));
      if (!match) return;
      const [, condition, cause, scope, note] = match;
      const key = `${condition ?? ''} ${cause ?? ''} (${scope ?? ''}) → ${note ?? ''}`;
      decisions[key] = (decisions[key] ?? 0) + 1;
    },
    warn: problem,
    error: problem,
    decisions: () => ({ ...decisions }),
    problems: () => ({ ...problems }),
  };
}

/** `a 3, b 1`, or `none`. */
export function listed(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts).map(([key, n]) => `${key} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
