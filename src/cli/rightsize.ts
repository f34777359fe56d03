import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard rightsize`. */
export function registerRightsize(program: Command): void {
  program.command('rightsize').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard rightsize: not implemented yet\n');
    process.exitCode = 2;
  });
}
