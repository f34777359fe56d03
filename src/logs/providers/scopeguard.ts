/** scopeguard's own normalized NDJSON (`AuditEvent` per line), for any source without a dedicated importer. */
import { RecordError, type DraftEvent, type Provider } from '../provider.ts';
import { validateAuditEventShape } from '../validate.ts';

export const scopeguard: Provider = {
  name: 'scopeguard',
  detect(record) {
    return typeof record.type === 'string' && 'time' in record && ('eventId' in record || 'clientId' in record || 'rawType' in record) && !('realmId' in record) ? 0.9 : 0;
  },
  normalize(record) {
    const problem = validateAuditEventShape(record);
    if (problem) throw new RecordError(problem);
    const draft = { ...record } as unknown as DraftEvent;
    // the importer, not the file, says where this copy was read from
    delete (draft as { source?: unknown }).source;
    delete (draft as { provider?: unknown }).provider;
    return draft;
  },
};
