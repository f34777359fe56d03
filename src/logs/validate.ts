/**
 * Checks a `scopeguard` NDJSON record against the AuditEvent schema before it is trusted. The file may omit what the
 * importer supplies (eventId, tenant, provider, source) and may write time in any form src/logs/time.ts reads.
 */
import type { ValidateFunction } from 'ajv';
import auditEventSchema from '../schema/audit-event.schema.json' with { type: 'json' };

let validator: ValidateFunction | undefined;

/**
 * Compiles the validator; importFile awaits it before reading records. Loaded on demand so that commands which
 * never import logs do not pay for loading ajv at start-up.
 */
export async function prepareAuditEventValidator(): Promise<void> {
  if (validator) return;
  const { Ajv } = await import('ajv');
  const { $id: _id, ...schema } = auditEventSchema;
  const inputSchema = {
    ...schema,
    required: ['time', 'type'],
    properties: { ...schema.properties, time: { type: ['string', 'number'] }, outcome: { ...schema.properties.outcome } },
  };
  validator = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true }).compile(inputSchema);
}

function getValidator(): ValidateFunction {
  if (!validator) throw new Error('prepareAuditEventValidator() must be awaited before records are validated');
  return validator;
}

/** undefined when the record has the AuditEvent shape; else the first problem in a user's words. */
export function validateAuditEventShape(record: unknown): string | undefined {
  const validate = getValidator();
  if (validate(record)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return 'not an audit event';
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'record';
  if (error.keyword === 'additionalProperties') return `${where}: unknown field "${String(error.params.additionalProperty)}"`;
  if (error.keyword === 'enum') return `${where}: must be one of ${(error.params.allowedValues as string[]).join(', ')}`;
  return `${where}: ${error.message ?? 'invalid'}`;
}
