// A run's time limit as a user writes it (`box run --timeout`, `box
// conformance --timeout`), read in one place. The runtime keeps the limit
// with a Node timer, which takes at most 2^31-1 ms and fires at once past it
// (a TimeoutOverflowWarning, and the box ended after 1 ms): the longest limit
// is therefore 2,147,483 s, about 24.8 days.

export const MAX_TIME_LIMIT_S = Math.floor((2 ** 31 - 1) / 1000);

/** SECONDS (fractions allowed) as whole milliseconds, at least 1; undefined unless 0 < SECONDS <= MAX_TIME_LIMIT_S. */
export function timeLimitMs(text: string): number | undefined {
  const s = Number(text);
  if (text.trim() === '' || !(s > 0 && s <= MAX_TIME_LIMIT_S)) return undefined;
  return Math.max(1, Math.round(s * 1000));
}
