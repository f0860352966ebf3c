import { setTimeout as sleep } from 'node:timers/promises';
import { DownloadError, isTransient, type DownloadFailure } from './download-error.js';

// Retrying a download from one place: transient failures (see isTransient)
// are tried again after an exponentially growing pause, so a server that is
// restarting or overloaded gets room instead of a burst. Each try continues
// the partial file, so a connection cut off at 900 MB resumes there.

export interface RetryPolicy {
  /** Tries after the first; 0 means one attempt. */
  readonly retries: number;
  /** The first pause; each next one doubles, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * The pause before retry number `attempt` (0-based): base·2^attempt, capped,
 * then "equal jitter" (half fixed, half random) so processes that failed
 * together do not all come back at the same instant.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(d / 2 + (random() * d) / 2);
}

export async function withRetries(
  attempt: () => Promise<void>,
  policy: RetryPolicy,
  onRetry: (failure: DownloadFailure, retry: number, delayMs: number) => void = () => {},
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof DownloadError) || !isTransient(e.failure) || n >= policy.retries) throw e;
      const delay = backoffDelay(n, policy);
      onRetry(e.failure, n + 1, delay);
      await pause(delay);
    }
  }
}
