import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard history`. */
export function registerHistory(program: Command): void {
  program.command('history').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard history: not implemented yet\n');
    process.exitCode = 2;
  });
}
