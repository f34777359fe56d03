/**
 * Exceptions (waivers) over findings. An exception waives findings of its rule on its subject in its tenant up to
 * and including its `expires` day (UTC); from the next day on it is expired: it no longer waives, and SG108 reports it.
 * Day arithmetic lives here, in TypeScript, so the Rego policies never read a clock.
 */
import type { Exception, Tenant } from '../registry/model.ts';

const DAY_MS = 86_400_000;

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** 0 on the last day the exception waives, negative once it has expired. */
export function daysUntilExpiry(exception: Pick<Exception, 'expires'>, now: Date): number {
  return daysBetween(isoDay(now), exception.expires);
}

export function isExpired(exception: Pick<Exception, 'expires'>, now: Date): boolean {
  return daysUntilExpiry(exception, now) < 0;
}

/** The exception that waives a finding of `ruleId` on `subject` in this tenant today, if any. */
export function findWaiver(tenant: Tenant | undefined, ruleId: string, subject: string, now: Date): Exception | undefined {
  return tenant?.exceptions.find((e) => e.rule === ruleId && e.subject === subject && !isExpired(e, now));
}
