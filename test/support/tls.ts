/** The throwaway certificate lives beside the benchmarks that also need it. */
export * from '../../lib/tools/bench/localCertificate';
