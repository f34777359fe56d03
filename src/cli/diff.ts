import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard diff`. */
export function registerDiff(program: Command): void {
  program.command('diff').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard diff: not implemented yet\n');
    process.exitCode = 2;
  });
}
