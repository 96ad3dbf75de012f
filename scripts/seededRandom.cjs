/**
 * The seeded PRNG (mulberry32) of the sample generator, the eval scenarios and the benchmarks: the
 * same seed always gives the same numbers, so generated files are the same bytes on every run and
 * every benchmark run measures the same work. The one copy, in plain CommonJS: the scripts import
 * it without a build, and the benchmarks and jest load it through lib/tools/bench/seededRandom.ts.
 */
'use strict';

/**
 * @param {number} seed
 * @returns {() => number} numbers in [0, 1)
 */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { mulberry32 };
