/** `scopeguard report`: write the periodic compliance report per tenant and refresh the reports index. */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { REPORT_FORMATS, isReportFormat, writeComplianceReport, type ReportFormat } from '../report/compliance/write.ts';
import { parseNow } from './now.ts';
import { addStoreOptions, storeOptions, type StoreFlags } from './usage-options.ts';

interface ReportFlags extends StoreFlags {
  registry: string;
  out: string;
  format: string;
  policy: string[];
  now?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description('write the compliance report (verdict, trend, registry changes, least privilege, usage and waived findings) to <out>/<tenant>/<date>/')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--out <dir>', 'reports folder', 'reports')
    .option('--format <list>', `comma-separated: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('--policy <dir>', 'extra Rego policy folder, compiled with opa (repeatable)', collect, [])
    .option('--now <date>', 'the report date and instant (default: now; SCOPEGUARD_NOW)');
  addStoreOptions(command).action(async (flags: ReportFlags) => {
    const formats = flags.format.split(',').map((f) => f.trim()).filter(Boolean);
    const unknown = formats.filter((f) => !isReportFormat(f));
    if (unknown.length > 0 || formats.length === 0) {
      throw new UsageError(`unknown --format "${unknown.join(',') || flags.format}"`, `use a comma-separated list of: ${REPORT_FORMATS.join(', ')}`);
    }
    const { tenants, ...usage } = storeOptions(flags);
    const result = await writeComplianceReport({
      registryRoot: flags.registry,
      outDir: flags.out,
      formats: formats as ReportFormat[],
      now: parseNow(flags.now),
      usage,
      ...(tenants ? { tenants } : {}),
      ...(flags.policy.length ? { policyDirs: flags.policy } : {}),
    });
    for (const report of result.reports) {
      process.stdout.write(`${report.tenant}: ${report.verdict.toUpperCase()}, ${report.counts.open} open, ${report.counts.waived} waived → ${flags.out}/${report.tenant}/${report.date}/\n`);
    }
    process.stdout.write(`index: ${result.index}\n`);
  });
}
