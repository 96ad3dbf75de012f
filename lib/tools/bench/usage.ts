/** What `node dist/lib/tools/bench/main.js --help` prints. */
export const BENCH_USAGE = `npm run bench [-- <flag>]   (or: npm run build && node dist/lib/tools/bench/main.js <flag>)

Without a flag: every figure but the connection events' and whatif's (diagnose, intake,
enrichment, cold start, lone alert, storms, digest, device history, silences). Figures only:
nothing asserts a time.

  --storm       only the storms of one-device alerts
  --no-storm    everything but the storms
  --lone        only a lone alert's evidence against one query's round trip
  --history     only the device-history query at 100,000 devices
  --events      only the connection events: intake of 10,000 events a minute through the dev
                host on Azurite, drop to card with a 30 s grace, a day of hourly renewals for
                1,000 devices, a 5,000-device hub outage. Kept out of the full run for their
                length: about 7 minutes on a quiet 2-core machine (half of it the day of
                renewals on Azurite), longer on a busy one
  --whatif      only enricher whatif at scale: the 160 generated scenarios copied 63 times,
                each copy on its own hub: 10,080 recorded alerts over one evidence source
                (about 31 million events, in a child Node.js with a 12 GB heap; peak RSS about
                6.5 GB), without metrics; and 160 alerts with metrics. Kept out of the full run
                for its length: about 4 minutes (the inputs' building not counted in the figure)
  --help        this text`;
