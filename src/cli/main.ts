/**
 * scopeguard's command line. Each command lives in its own file and only parses flags, calls the library,
 * picks a formatter and sets the exit code. Errors a user can fix print as one line and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { ScopeguardError } from '../errors.ts';
import { problemsReportOf } from '../report/formatter.ts';
import { formatTextProblems } from '../report/text.ts';
import { fileSystemProblem } from '../file-system.ts';
import { registerValidate } from './validate.ts';
import { registerCheck } from './check.ts';
import { registerDiff } from './diff.ts';
import { registerHistory } from './history.ts';
import { registerShow } from './show.ts';
import { registerLogs } from './logs.ts';
import { registerUsage } from './usage.ts';
import { registerRightsize } from './rightsize.ts';
import { registerReport } from './report.ts';
import { VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('scopeguard')
    .description('Policy-as-code for OAuth scopes: validate the scope registry, judge it and its changes with Rego, analyse audit-log usage.')
    .version(VERSION)
    .option('--verbose', 'print stack traces of unexpected errors')
    .option('-q, --quiet', 'no progress output')
    .option('--no-cache', 'parse every registry file again instead of reusing .scopeguard/cache (same as SCOPEGUARD_CACHE=off)')
    .hook('preAction', (command) => {
      if (command.opts<{ cache?: boolean }>().cache === false) process.env.SCOPEGUARD_CACHE = 'off';
    })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [
    registerValidate,
    registerCheck,
    registerDiff,
    registerHistory,
    registerShow,
    registerLogs,
    registerUsage,
    registerRightsize,
    registerReport,
  ]) {
    register(program);
  }
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    return reportError(error, argv.includes('--verbose'));
  }
}

function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // help and version "errors" are successes; commander already printed the message for real ones
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
      ? 0
      : 2;
  }
  if (error instanceof ScopeguardError) {
    // the same lines `--format text --output FILE` writes into the file
    process.stderr.write(formatTextProblems(problemsReportOf(error), { color: false, version: VERSION }));
    return error.exitCode;
  }
  const fileProblem = fileSystemProblem(error);
  if (fileProblem) {
    process.stderr.write(`scopeguard: ${fileProblem}\n  hint: check the paths given to --output, --out, --parquet or --db, and the folders on their way\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`scopeguard: unexpected error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  (this is a bug in scopeguard; run again with --verbose and report the stack trace)\n');
  return 2;
}

// A reader that stops early (`scopeguard check | head`) closes the pipe: the rest of the output has nobody to read
// it, which is how pipes end, not an error to report (without this, Node throws EPIPE from the stream)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit();
});

// not a top-level await: the bundle is CommonJS (bin/scopeguard.js compiles it with a V8 code cache)
void run(process.argv).then((code) => {
  process.exitCode = code;
});
