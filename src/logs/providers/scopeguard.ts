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
    // The record is the draft as it is: finishEvent copies the fields it stores and takes provider and source from
    // the importer, never from the file (a copy with those keys deleted cost a dictionary-mode object per event).
    return record as unknown as DraftEvent;
  },
};
