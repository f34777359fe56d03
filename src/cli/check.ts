import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard check`. */
export function registerCheck(program: Command): void {
  program.command('check').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard check: not implemented yet\n');
    process.exitCode = 2;
  });
}
