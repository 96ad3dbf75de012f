/** The local Log Analytics server lives beside the benchmarks that also run it. */
export * from '../../lib/bench/localLogAnalyticsServer';
