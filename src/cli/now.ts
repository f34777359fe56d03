/** `--now` (or SCOPEGUARD_NOW) for commands that judge dates, so runs are reproducible in tests and reports. */
import { UsageError } from '../errors.ts';
import { parseUserDate } from '../logs/time.ts';

export function parseNow(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Date {
  const text = flag ?? env.SCOPEGUARD_NOW;
  if (text === undefined || text === '') return new Date();
  // strict: a day that does not exist (2026-11-31) or text that is no date ("12") is a mistake, not another day
  const iso = parseUserDate(text);
  if (iso === undefined) throw new UsageError(`--now "${text}" is not a date`, 'use YYYY-MM-DD or an ISO-8601 instant');
  return new Date(iso);
}
