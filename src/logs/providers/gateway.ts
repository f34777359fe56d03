/**
 * API gateway access logs in JSON (one request per line). Which field holds what is set in `scopeguard.yaml`
 * `gateway.fields` as dot-paths; without it the common names of Kong, Envoy, NGINX JSON and AWS API Gateway logs are tried.
 */
import { compact, get, int, scopeList, str, type DraftEvent, type Outcome, type Provider } from '../provider.ts';

export type GatewayField = 'time' | 'clientId' | 'scopes' | 'method' | 'path' | 'status' | 'tokenId' | 'eventId' | 'ip' | 'userAgent' | 'outcome';

export const DEFAULT_GATEWAY_FIELDS: Record<GatewayField, string[]> = {
  time: ['time', 'timestamp', '@timestamp', 'ts', 'started_at', 'start_time', 'requestTimeEpoch'],
  clientId: ['client_id', 'clientId', 'client.id', 'consumer.custom_id', 'consumer.username', 'authorizer.client_id', 'jwt.client_id', 'azp'],
  scopes: ['scopes', 'scope', 'token.scopes', 'jwt.scope', 'authorizer.scope', 'scp'],
  method: ['method', 'request.method', 'http_method', 'httpMethod', 'req.method'],
  path: ['path', 'request.path', 'request.uri', 'uri', 'request_uri', 'url', 'req.url', 'resourcePath'],
  status: ['status', 'response.status', 'status_code', 'statusCode', 'res.statusCode'],
  tokenId: ['token_id', 'jti', 'jwt.jti', 'token.jti', 'authorizer.jti'],
  eventId: ['request_id', 'requestId', 'id', 'request.id', 'x_request_id'],
  ip: ['ip', 'client_ip', 'clientIp', 'remote_addr', 'client.ip', 'sourceIp', 'remote_ip'],
  userAgent: ['user_agent', 'userAgent', 'http_user_agent', 'request.headers.user-agent'],
  outcome: ['outcome', 'decision'],
};

function pick(record: unknown, field: GatewayField, configured: Partial<Record<GatewayField, string>> | undefined): unknown {
  const explicit = configured?.[field];
  if (explicit) return get(record, explicit);
  for (const path of DEFAULT_GATEWAY_FIELDS[field]) {
    const value = get(record, path);
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

/** Only the path: query strings are where secrets and noise live, and action maps match paths. */
function pathOnly(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let path = value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      return undefined;
    }
  }
  return path.split(/[?#]/)[0] || '/';
}

function outcomeOf(explicit: unknown, status: number | undefined): Outcome {
  if (typeof explicit === 'boolean') return explicit ? 'success' : 'failure';
  const text = str(explicit)?.toLowerCase();
  if (text) {
    if (/^(success|allow|allowed|ok|pass|granted)$/.test(text)) return 'success';
    if (/^(failure|fail|deny|denied|error|blocked|forbidden)$/.test(text)) return 'failure';
  }
  if (status === undefined) return 'unknown';
  return status < 400 ? 'success' : 'failure';
}

type GatewayFields = Partial<Record<GatewayField, string>>;

export const gateway: Provider = {
  name: 'gateway',
  detect(record, context) {
    // a gateway whose log names its fields otherwise ({"verb", "route", "code"}) is recognised by what the config maps
    const fields = context?.gateway?.fields as GatewayFields | undefined;
    const has = (field: GatewayField): boolean => {
      const value = pick(record, field, fields);
      return value !== undefined && value !== null && value !== '';
    };
    return has('method') && has('path') && has('status') ? (has('clientId') ? 0.7 : 0.5) : 0;
  },
  normalize(record, context) {
    const fields = context.gateway?.fields as GatewayFields | undefined;
    const status = int(pick(record, 'status', fields));
    const draft: DraftEvent = {
      eventId: str(pick(record, 'eventId', fields)),
      time: pick(record, 'time', fields),
      type: 'api.request',
      rawType: 'request',
      outcome: outcomeOf(pick(record, 'outcome', fields), status),
      clientId: str(pick(record, 'clientId', fields)),
      scopes: scopeList(pick(record, 'scopes', fields)),
      requestedScopes: [],
      tokenId: str(pick(record, 'tokenId', fields)),
      request: compact({ method: str(pick(record, 'method', fields))?.toUpperCase(), path: pathOnly(str(pick(record, 'path', fields))), status }),
      ip: str(pick(record, 'ip', fields)),
      userAgent: str(pick(record, 'userAgent', fields)),
    };
    return draft;
  },
};
