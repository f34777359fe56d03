/**
 * The compliance report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no external
 * resource, and a Content-Security-Policy that would block any if one slipped in. Every string that came from YAML,
 * logs or git goes through escapeHtml.
 */
import { isFileNote } from '../../diff/types.ts';
import { SEVERITIES, type Finding, type Severity } from '../../findings/finding.ts';
import { escapeHtml } from '../escape.ts';
import { day, percent } from '../usage-table.ts';
import type { ClientUsageRow } from '../../usage/least-privilege.ts';
import { usageSentence, type ComplianceReport, type HistoryPoint } from './model.ts';
import { counted } from '../../plural.ts';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const COLORS: Record<Severity, string> = { critical: '#7f1d1d', high: '#dc2626', medium: '#f59e0b', low: '#3b82f6', info: '#9ca3af' };

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#111827}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f9fafb}td.n{text-align:right}code{background:#f3f4f6;padding:0 .2rem;border-radius:3px}
.verdict{display:inline-block;padding:.2rem .6rem;border-radius:4px;color:#fff;font-weight:600}.pass{background:#15803d}.fail{background:#b91c1c}
.sev{display:inline-block;min-width:4.5rem;color:#fff;border-radius:3px;padding:0 .3rem;text-align:center}
${SEVERITIES.map((s) => `.sev-${s}{background:${COLORS[s]}}`).join('')}
.finding{border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}.muted{color:#6b7280}
svg.chart{max-width:100%;height:auto;border:1px solid #e5e7eb;border-radius:6px;background:#fff}
th,td,p,li,code,.finding{overflow-wrap:anywhere}
`;

export function renderComplianceHtml(r: ComplianceReport): string {
  const e = escapeHtml;
  const open = r.findings.filter((f) => f.status !== 'waived');
  const usageFindings = open.filter((f) => f.ruleId.startsWith('SG3'));
  const registryFindings = open.filter((f) => !f.ruleId.startsWith('SG3'));
  const waived = r.findings.filter((f) => f.status === 'waived');
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(REPORT_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>scopeguard compliance report: ${e(r.tenant)} ${e(r.date)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>Compliance report: ${e(r.tenant)}, ${e(r.date)}</h1>`,
    `<p><span class="verdict ${r.verdict}" id="verdict">${r.verdict === 'pass' ? 'PASS' : 'FAIL'}</span> fail-on ${e(r.failOn)} · ${r.counts.open} open, ${r.counts.waived} waived</p>`,
    '<table id="counts"><tr>' + SEVERITIES.map((s) => `<th>${s}</th>`).join('') + '</tr><tr>' + SEVERITIES.map((s) => `<td class="n">${r.counts.bySeverity[s]}</td>`).join('') + '</tr></table>',
    `<p class="muted">${usageSentence(r.usage, e)}</p>`,
  );

  parts.push('<h2>Trend</h2>', findingsOverTimeChart(r.history));
  if (!r.trend.previous) parts.push('<p>First stored report for this tenant: no trend yet.</p>');
  else {
    parts.push(`<p>Against the report of ${e(r.trend.previous)}: <strong>${r.trend.new.length}</strong> new, <strong>${r.trend.fixed.length}</strong> fixed, <strong>${r.trend.waived.length}</strong> newly waived, <strong>${r.trend.stillOpen}</strong> still open.</p>`);
    for (const [title, list] of [['New', r.trend.new], ['Fixed', r.trend.fixed], ['Newly waived (by an exception; still there)', r.trend.waived]] as const) {
      if (list.length === 0) continue;
      parts.push(`<h3>${title}</h3><ul>`, ...list.map((t) => `<li>${sev(t.severity)} ${e(t.ruleId)} <code>${e(t.subject)}</code>: ${e(t.message)}</li>`), '</ul>');
    }
  }

  parts.push('<h2>Registry changes since the previous report</h2>');
  if (!r.registryChanges.available) parts.push(`<p>Not available: ${e(r.registryChanges.reason)}.</p>`);
  else if (r.registryChanges.commits.length === 0) parts.push(`<p>No registry changes since ${e(day(r.registryChanges.since))}.</p>`);
  else {
    parts.push('<table><tr><th>date</th><th>author</th><th>commit</th><th>change</th></tr>');
    for (const c of r.registryChanges.commits) {
      for (const change of c.changes) {
        parts.push(`<tr><td>${e(day(c.landed ?? c.date))}</td><td>${e(c.author)}</td><td><code>${e(c.commit.slice(0, 10))}</code> ${e(c.subject)}</td><td>${isFileNote(change) ? `note: ${e(change.detail)}` : `${e(change.classification)}: <code>${e(change.subject)}</code> ${e(change.detail)}`}</td></tr>`);
      }
    }
    parts.push('</table>');
  }

  parts.push('<h2>Least privilege per client</h2>', leastPrivilegeChart(r.leastPrivilege));
  if (r.leastPrivilege.length > 0) {
    parts.push('<table id="least-privilege"><tr><th>client</th><th>score</th><th>used / granted</th><th>unused scopes</th></tr>');
    for (const c of r.leastPrivilege) {
      const unused = c.granted.filter((g) => !g.used).map((g) => `<code>${e(g.scope)}</code>${g.description ? ` <span class="muted">(${e(g.description)})</span>` : ''}`).join(', ') || '—';
      parts.push(`<tr><td>${e(c.client)}</td><td class="n">${percent(c.score)}</td><td class="n">${c.usedCount} / ${c.granted.length}</td><td>${unused}</td></tr>`);
    }
    parts.push('</table>');
  }

  parts.push('<h2>Usage findings</h2>');
  if (usageFindings.length === 0) parts.push('<p>None.</p>');
  for (const f of usageFindings) parts.push(findingCard(f));
  parts.push('<h2>Registry findings</h2>');
  if (registryFindings.length === 0) parts.push('<p>None.</p>');
  for (const f of registryFindings) parts.push(findingCard(f));
  parts.push('<h2>Waived findings</h2>');
  if (waived.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push('<table id="waived"><tr><th>rule</th><th>subject</th><th>reason</th><th>owner</th><th>expires</th></tr>');
    for (const f of waived) {
      parts.push(`<tr><td>${e(f.ruleId)}</td><td><code>${e(f.subject)}</code></td><td>${e(f.waivedBy?.reason ?? '')}</td><td>${e(f.waivedBy?.owner ?? '')}</td><td>${e(f.waivedBy?.expires ?? '')}</td></tr>`);
    }
    parts.push('</table>');
  }
  parts.push(`<p class="muted">Generated by scopeguard ${e(r.tool.version)} at ${e(r.generatedAt)}.</p>`, '</body>', '</html>');
  return `${parts.join('\n')}\n`;
}

function sev(severity: Severity): string {
  return `<span class="sev sev-${severity}">${severity}</span>`;
}

function findingCard(f: Finding): string {
  const e = escapeHtml;
  const evidence = f.evidence ?? {};
  const rows = Object.entries(evidence)
    .map(([key, value]) => `<tr><th>${e(key)}</th><td>${e(typeof value === 'object' && value !== null ? (Array.isArray(value) ? value.map(String).join(', ') : JSON.stringify(value)) : String(value))}</td></tr>`)
    .join('');
  const where = f.location ? ` <span class="muted">${e(f.location.file)}:${f.location.line}</span>` : '';
  return [
    `<div class="finding" data-rule="${e(f.ruleId)}">`,
    `<div>${sev(f.severity)} <strong>${e(f.ruleId)}</strong> <code>${e(f.subject)}</code>${where}</div>`,
    `<p>${e(f.message)}</p>`,
    rows ? `<table class="evidence">${rows}</table>` : '',
    f.remediation ? `<p class="muted">Fix: ${e(f.remediation)}</p>` : '',
    '</div>',
  ].join('');
}

/** Stacked bars of open findings by severity, one per stored report. */
export function findingsOverTimeChart(history: readonly HistoryPoint[]): string {
  const width = 720;
  const height = 220;
  const pad = { left: 40, right: 10, top: 14, bottom: 40 };
  const max = Math.max(1, ...history.map((h) => h.open));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = plotW / Math.max(history.length, 1);
  const bar = Math.min(48, slot * 0.7);
  const out: string[] = [
    `<svg class="chart" id="chart-findings-over-time" role="img" aria-label="Open findings over time by severity" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${width - pad.right}" y2="${pad.top + plotH}" stroke="#9ca3af"/>`,
    `<text x="${pad.left - 6}" y="${pad.top + 4}" font-size="11" text-anchor="end" fill="#6b7280">${max}</text>`,
    `<text x="${pad.left - 6}" y="${pad.top + plotH}" font-size="11" text-anchor="end" fill="#6b7280">0</text>`,
  ];
  history.forEach((point, i) => {
    const x = pad.left + i * slot + (slot - bar) / 2;
    let y = pad.top + plotH;
    for (const severity of [...SEVERITIES].reverse()) {
      const n = point.bySeverity[severity] ?? 0;
      if (n === 0) continue;
      const h = (n / max) * plotH;
      y -= h;
      out.push(`<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(bar)}" height="${fmt(h)}" fill="${COLORS[severity]}"><title>${escapeHtml(point.date)}: ${n} ${severity}</title></rect>`);
    }
    out.push(`<text x="${fmt(x + bar / 2)}" y="${fmt(pad.top + plotH - ((point.open / max) * plotH) - 3)}" font-size="11" text-anchor="middle">${point.open}</text>`);
    out.push(`<text x="${fmt(x + bar / 2)}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle" fill="#374151">${escapeHtml(point.date)}</text>`);
  });
  SEVERITIES.forEach((severity, i) => {
    out.push(`<rect x="${pad.left + i * 90}" y="${height - 14}" width="10" height="10" fill="${COLORS[severity]}"/><text x="${pad.left + i * 90 + 14}" y="${height - 5}" font-size="11">${severity}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** Horizontal bars per client: granted scopes (light) and the exercised ones (dark), least privileged last. */
export function leastPrivilegeChart(rows: readonly ClientUsageRow[]): string {
  const shown = rows.slice(0, 40);
  const width = 720;
  const rowH = 18;
  const labelW = 220;
  const height = 30 + Math.max(shown.length, 1) * rowH;
  const max = Math.max(1, ...shown.map((r) => r.granted.length));
  const scale = (width - labelW - 60) / max;
  const out: string[] = [
    `<svg class="chart" id="chart-least-privilege" role="img" aria-label="Exercised versus granted scopes per client" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="${labelW}" y="6" width="10" height="10" fill="#d1d5db"/><text x="${labelW + 14}" y="15" font-size="11">granted</text>`,
    `<rect x="${labelW + 80}" y="6" width="10" height="10" fill="#15803d"/><text x="${labelW + 94}" y="15" font-size="11">exercised</text>`,
  ];
  if (shown.length === 0) out.push(`<text x="10" y="40" font-size="12" fill="#6b7280">no usage data</text>`);
  shown.forEach((row, i) => {
    const y = 24 + i * rowH;
    const label = row.client.length > 32 ? `${row.client.slice(0, 31)}…` : row.client;
    out.push(`<text x="${labelW - 6}" y="${y + 12}" font-size="11" text-anchor="end">${escapeHtml(label)}</text>`);
    out.push(`<rect x="${labelW}" y="${y + 2}" width="${fmt(row.granted.length * scale)}" height="${rowH - 5}" fill="#d1d5db"><title>${escapeHtml(row.client)}: ${row.granted.length} granted</title></rect>`);
    out.push(`<rect x="${labelW}" y="${y + 2}" width="${fmt(row.usedCount * scale)}" height="${rowH - 5}" fill="#15803d"><title>${escapeHtml(row.client)}: ${row.usedCount} exercised</title></rect>`);
    out.push(`<text x="${fmt(labelW + row.granted.length * scale + 6)}" y="${y + 12}" font-size="11" fill="#374151">${row.usedCount}/${row.granted.length} (${percent(row.score)})</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}
