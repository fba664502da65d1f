/**
 * How long the service asked us to wait, in milliseconds, or undefined when it did not say.
 *
 * Sources, most precise first: `retry-after-ms` and `x-ms-retry-after-ms` (Azure's millisecond headers),
 * `Retry-After` as delta-seconds or an HTTP date, and finally the gateway's body text
 * "Rate limit is exceeded. Try again in N seconds." (the docs only say the backoff "is provided in the response").
 */
export function retryAfterMs(headers: Headers, bodyText = '', now: number = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers.get(name);
    if (value !== null && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value));
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const fromBody = /(?:try again|retry)(?: after| in)\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?|m|min|minutes?)\b/i.exec(bodyText);
  if (fromBody) {
    const amount = Number(fromBody[1]);
    const unit = fromBody[2]!.toLowerCase();
    if (unit.startsWith('ms') || unit.startsWith('milli')) return Math.ceil(amount);
    if (unit.startsWith('m') && !unit.startsWith('ms')) return Math.ceil(amount * 60_000);
    return Math.ceil(amount * 1000);
  }
  return undefined;
}
