/**
 * The benchmarks' seeded generator: the one copy is `scripts/seededRandom.cjs`, which the sample
 * scripts run without a build. Required from the repository root, so that it resolves both from
 * `lib/` (jest) and from `dist/lib/` (`npm run bench`), where tsc does not copy it.
 */

import { join } from 'node:path';

import { repoRoot } from '../devhost/repoRoot';

interface SeededRandom {
  /** mulberry32: numbers in [0, 1), the same for the same seed. */
  readonly mulberry32: (seed: number) => () => number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { mulberry32 } = require(
  join(repoRoot(), 'scripts', 'seededRandom.cjs'),
) as SeededRandom;
