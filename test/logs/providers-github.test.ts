// GitHub audit log entries as GitHub streams and exports them, checked for what a user sees in the normalized event.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAndRead, tempDir } from './helpers.ts';

function ndjson(records: object[]): string {
  const file = join(tempDir(), 'github.ndjson');
  writeFileSync(file, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  return file;
}

describe('github: bots', () => {
  it('are actors of type bot whether actor_is_bot is a JSON boolean or a string', async () => {
    const file = ndjson([
      {
        '@timestamp': 1762272000123, _document_id: 'Xk2mQ9vLr8TzP4wA1bC3dE', action: 'oauth_authorization.create',
        actor: 'priya-nair', actor_id: 5012345, actor_is_bot: false, org: 'acme-corp', oauth_application_id: 91234, scopes: ['repo', 'read:org'],
      },
      {
        '@timestamp': 1762272100000, _document_id: 'Zm4oS1xNt0VbR6yC3dE5fG', action: 'api.request',
        actor: 'dependabot[bot]', actor_id: 49699333, actor_is_bot: true, org: 'acme-corp', request_method: 'GET', url_path: '/repos/acme-corp/api/contents',
        status_code: 200, token_scopes: 'repo,workflow', oauth_application_client_id: 'Iv1.8a61f9b3a7aba766',
      },
      {
        '@timestamp': 1762272200000, _document_id: 'Bb2cC3dD4eE5fF6gG7hH8i', action: 'api.request',
        actor: 'renovate[bot]', actor_id: 29139614, actor_is_bot: 'true', org: 'acme-corp', request_method: 'GET', url_path: '/repos/acme-corp/api/pulls', status_code: 200,
      },
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.actor, e.clientId, e.scopes])).toEqual([
      ['consent.granted', { id: '5012345', type: 'user', name: 'priya-nair' }, '91234', ['repo', 'read:org']],
      ['api.request', { id: '49699333', type: 'bot', name: 'dependabot[bot]' }, 'Iv1.8a61f9b3a7aba766', ['repo', 'workflow']],
      ['api.request', { id: '29139614', type: 'bot', name: 'renovate[bot]' }, undefined, []],
    ]);
  });
});
