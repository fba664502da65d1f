// Preloaded (`node --import`) into a process whose peak RSS a benchmark reads: writes it, in bytes, to the file named
// by HWDASH_BENCH_RSS_FILE when the process exits.
import { writeFileSync } from 'node:fs';
import { peakRssBytes } from './peak-rss.mjs';

process.on('exit', () => {
  if (process.env.HWDASH_BENCH_RSS_FILE) writeFileSync(process.env.HWDASH_BENCH_RSS_FILE, String(peakRssBytes()));
});
