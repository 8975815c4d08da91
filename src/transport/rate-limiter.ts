/**
 * The per-sender rate limit on Matrix to-device messages (spec §8.5): at most `limit`
 * bytes per sender address per window (5 minutes in the reference), where a body's size is
 * what Python's `sys.getsizeof` reports for the body string. All counters reset together
 * when the window ends (a fixed window, not a sliding one).
 */

/** The reference's window: 5 minutes. */
export const RATE_LIMIT_WINDOW_MS = 5 * 60_000;

/**
 * `sys.getsizeof(s)` of a Python 3 str on a 64-bit CPython 3.9 to 3.11 (the reference runs 3.9): a compact object
 * whose per-character width is that of its widest code point (PEP 393): 1 byte for ASCII
 * (header 49 with the terminator), 1 for Latin-1 (73), 2 for the BMP (74), 4 beyond (76).
 */
export function pythonStrSize(text: string): number {
  let max = 0;
  let codePoints = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    codePoints++;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // a surrogate pair is one astral code point
        i++;
        max = 0x10000;
        continue;
      }
    }
    if (c > max) max = c;
  }
  if (max < 0x80) return 49 + codePoints;
  if (max < 0x100) return 73 + codePoints;
  if (max < 0x10000) return 74 + 2 * codePoints;
  return 76 + 4 * codePoints;
}

/** Byte budgets per sender within fixed windows. */
export class SenderRateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private used = new Map<string, number>();
  private windowEnd: number;

  /** `limit` bytes per sender per `windowMs`; `now` in milliseconds. */
  constructor(limit: number, windowMs: number = RATE_LIMIT_WINDOW_MS, now: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
    this.windowEnd = now() + windowMs;
  }

  /**
   * Counts `size` bytes for `sender` and returns true when they fit in what is left of its
   * budget; a refused batch is not counted.
   */
  allow(sender: string, size: number): boolean {
    const now = this.now();
    if (now >= this.windowEnd) {
      this.used = new Map();
      // windows stay aligned to the first one, however long the limiter was idle
      this.windowEnd += Math.ceil((now - this.windowEnd + 1) / this.windowMs) * this.windowMs;
    }
    const used = this.used.get(sender) ?? 0;
    if (used + size > this.limit) return false;
    this.used.set(sender, used + size);
    return true;
  }

  /** Senders with bytes counted in the current window. */
  get senders(): number {
    return this.used.size;
  }
}
