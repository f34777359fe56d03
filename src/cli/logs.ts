import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard logs`. */
export function registerLogs(program: Command): void {
  program.command('logs').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard logs: not implemented yet\n');
    process.exitCode = 2;
  });
}
