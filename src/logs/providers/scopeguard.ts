/** scopeguard's own normalized NDJSON (`AuditEvent` per line), for any source without a dedicated importer. */
import { RecordError, type DraftEvent, type NormalizeContext, type Provider } from '../provider.ts';
import { validateAuditEventShape } from '../validate.ts';
import { isTenantName } from '../../registry/schema-check.ts';
import { didYouMean } from '../../registry/suggest.ts';

/**
 * Why a record's own tenant cannot be taken, or undefined when it can. It is checked as --tenant is (src/cli/logs.ts):
 * events are stored under it for good, and it names a folder of reports, so it must be a valid tenant name (not
 * `../x`) and, when the registry has tenants, one of them. A file imported for a tenant (--tenant, or its source in
 * scopeguard.yaml) holds that tenant's events only: a record naming another is not re-filed under either silently.
 * The direct lane (src/logs/direct.ts) asks the same, so both ways store and reject the same lines.
 */
export function recordTenantProblem(tenant: string, context: Pick<NormalizeContext, 'tenant' | 'tenants'>): string | undefined {
  if (!isTenantName(tenant)) return `tenant ${JSON.stringify(tenant)} is not a valid tenant name`;
  if (context.tenant !== undefined && tenant !== context.tenant) return `tenant ${tenant} is not ${context.tenant}, the tenant this file is imported for`;
  const known = context.tenants ?? [];
  if (known.length > 0 && !known.includes(tenant)) {
    const hint = didYouMean(tenant, known);
    return `tenant ${tenant} is not a tenant of the registry${hint ? ` (${hint})` : ''}`;
  }
  return undefined;
}

export const scopeguard: Provider = {
  name: 'scopeguard',
  detect(record) {
    return typeof record.type === 'string' && 'time' in record && ('eventId' in record || 'clientId' in record || 'rawType' in record) && !('realmId' in record) ? 0.9 : 0;
  },
  normalize(record, context) {
    const problem = validateAuditEventShape(record);
    if (problem) throw new RecordError(problem);
    if (typeof record.tenant === 'string') {
      const tenantProblem = recordTenantProblem(record.tenant, context);
      if (tenantProblem) throw new RecordError(tenantProblem);
    }
    // The record is the draft as it is: finishEvent copies the fields it stores and takes provider and source from
    // the importer, never from the file (a copy with those keys deleted cost a dictionary-mode object per event).
    return record as unknown as DraftEvent;
  },
};
