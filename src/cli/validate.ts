import type { Command } from 'commander';

/** Placeholder until the command lands; owned by the issue that delivers `scopeguard validate`. */
export function registerValidate(program: Command): void {
  program.command('validate').description('(not yet implemented)').action(() => {
    process.stderr.write('scopeguard validate: not implemented yet\n');
    process.exitCode = 2;
  });
}
