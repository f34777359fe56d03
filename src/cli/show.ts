import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard show`. */
export function registerShow(program: Command): void {
  program.command('show').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard show: not implemented yet\n');
    process.exitCode = 2;
  });
}
