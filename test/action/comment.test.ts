// The comment renderer on its own: size limit with a cut at a row boundary, escaping, marker, verdict.
import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, SUMMARY_LIMIT, renderReview, stickyMarker, type RenderContext } from '../../src/action/comment.ts';
import type { ReviewResult } from '../../src/action/review.ts';
import type { Finding } from '../../src/findings/finding.ts';
import { HOSTILE } from './harness.ts';

const context: RenderContext = {
  registry: 'scopes',
  serverUrl: 'https://github.com',
  repository: 'acme/scopes',
  baseSha: 'a'.repeat(40),
  headSha: 'b'.repeat(40),
  repoPath: (file) => file,
};

function finding(i: number, status: Finding['status'], message = `public client app-${i} holds high scope read.data`): Finding {
  return {
    ruleId: 'SG103',
    severity: i % 2 === 0 ? 'high' : 'medium',
    tenant: 'acme',
    subject: `client:app-${i}/scope:read.data`,
    message,
    location: { file: 'scopes/acme/clients.yaml', line: i + 1, column: 5 },
    fingerprint: `fp-${i}`,
    status,
  };
}

function result(findings: Finding[], changes = 0): ReviewResult {
  return {
    findings,
    changes: Array.from({ length: changes }, (_, i) => ({
      tenant: 'acme',
      subject: `client:app-${i}/scope:read.data`,
      kind: 'client.scope-granted' as const,
      classification: 'widening' as const,
      detail: `granted read.data to app-${i}`,
    })),
    failOn: 'high',
    failed: findings.some((f) => f.status === 'new' && f.severity === 'high'),
    policyVersion: 'opa 1.0.0 · abcdef123456',
    ruleChanges: [],
    notices: [],
  };
}

/** Every table in the text, as rows; a table is a block of lines starting with `|`. */
function tables(text: string): string[][] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((rows) => rows[0]?.startsWith('| '));
}

describe('renderReview', () => {
  it('starts with the marker and the verdict line, counts by severity', () => {
    const body = renderReview(result([finding(0, 'new'), finding(1, 'new'), finding(2, 'existing')]), context, { limit: COMMENT_LIMIT, overflowWhere: 'the job summary' });
    const [marker, verdict] = body.split('\n\n');
    expect(marker).toBe(stickyMarker('scopes'));
    expect(verdict).toBe('### ❌ scopeguard: fail — 2 new findings: 1 high, 1 medium (fail-on `high`)');
    expect(body).toContain(`[scopes/acme/clients\\.yaml:1](https://github.com/acme/scopes/blob/${'b'.repeat(40)}/scopes/acme/clients.yaml#L1)`);
    expect(body).toMatch(/<details><summary>Pre-existing findings \(1\)/);
  });

  it('keeps the job summary under its limit in bytes, not characters, when the text is not ASCII', () => {
    // three bytes a character: 2,500 rows of Japanese fit a million characters but not a million bytes
    const many = Array.from({ length: 2500 }, (_, i) => finding(i, 'new', `公開クライアント app-${i} が高感度スコープ read.data を保持しています。${'説明'.repeat(60)}`));
    const body = renderReview(result(many), context, { limit: SUMMARY_LIMIT, overflowWhere: 'the SARIF file' });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(SUMMARY_LIMIT.max);
    expect(body).toMatch(/_\d+ more — see the SARIF file\._/);
  });

  it('stays under 65,536 characters with thousands of rows, cut at a row boundary with a pointer to the job summary', () => {
    const many = Array.from({ length: 3000 }, (_, i) => finding(i, i < 2000 ? 'new' : 'existing'));
    const body = renderReview(result(many, 500), context, { limit: COMMENT_LIMIT, overflowWhere: 'the job summary' });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT.max);
    expect(body).toMatch(/_\d+ more — see the job summary\._/);
    for (const rows of tables(body)) {
      const width = rows[0]!.split(' | ').length;
      for (const row of rows) {
        expect(row.startsWith('| ') && row.endsWith(' |')).toBe(true);
        expect(row.replace(/\\\|/g, '').split(' | ').length).toBe(width);
      }
    }
    // the footer survives the cut
    expect(body.trimEnd().endsWith('</sub>')).toBe(true);
    const shown = tables(body)[0]!.length - 2;
    const said = Number(body.match(/_(\d+) more — see the job summary/)?.[1]);
    expect(shown + said).toBe(2000);
  });

  it('renders hostile YAML text inert', () => {
    const body = renderReview(result([finding(0, 'new', HOSTILE)]), context, { limit: COMMENT_LIMIT, overflowWhere: 'the job summary' });
    const row = tables(body)[0]![2]!;
    expect(row).not.toContain('<img');
    expect(row).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(row).not.toMatch(/@everyone/);
    expect(row).toContain('@\u200deveryone');
    expect(row).not.toContain('](javascript:');
    expect(row.replace(/\\\|/g, '').split(' | ')).toHaveLength(5);
  });

  it('keeps the marker from closing the HTML comment early', () => {
    expect(stickyMarker('scopes--> <b>x')).toBe('<!-- scopeguard:scopes- <bx -->');
  });
});
