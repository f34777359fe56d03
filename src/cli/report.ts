import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard report`. */
export function registerReport(program: Command): void {
  program.command('report').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard report: not implemented yet\n');
    process.exitCode = 2;
  });
}
