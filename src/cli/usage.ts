import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard usage`. */
export function registerUsage(program: Command): void {
  program.command('usage').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard usage: not implemented yet\n');
    process.exitCode = 2;
  });
}
