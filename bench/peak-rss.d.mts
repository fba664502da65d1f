/** The peak resident set size of this process, in bytes (see peak-rss.mjs for why not `maxRSS`). */
export function peakRssBytes(): number;
