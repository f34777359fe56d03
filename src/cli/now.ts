/** `--now` (or SCOPEGUARD_NOW) for commands that judge dates, so runs are reproducible in tests and reports. */
import { UsageError } from '../errors.ts';

export function parseNow(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Date {
  const text = flag ?? env.SCOPEGUARD_NOW;
  if (text === undefined || text === '') return new Date();
  const value = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const now = new Date(value);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now "${text}" is not a date`, 'use YYYY-MM-DD or an ISO-8601 instant');
  return now;
}
