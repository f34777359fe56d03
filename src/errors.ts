/**
 * Errors a user can fix. The CLI prints them as one line each (never a stack trace) and exits 2.
 * Anything that is not a ScopeguardError is a bug: exit 2 with the stack only under --verbose.
 */
import { counted } from './plural.ts';

export class ScopeguardError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong: unknown flag value, missing argument. */
export class UsageError extends ScopeguardError {}

/** An input is wrong: YAML, a schema violation, a log file, a git ref, a Rego file. */
export class InputError extends ScopeguardError {}

/** The registry folder holds no YAML (at a revision, or on disk): it did not exist there, or the path is wrong. */
export class NoRegistryFiles extends InputError {}

/** Something outside the project is missing or unreachable: the opa binary, an API, a browser. */
export class EnvironmentError extends ScopeguardError {}

/** One problem found while validating inputs; validation collects all of them before failing. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
  /** Machine-readable class: yaml, duplicate-key, schema, unknown-key, unknown-kind, reference, limit, encoding */
  code: string;
}

/** Validation failed with one or more problems; carries all of them so every mistake is reported at once. */
export class ValidationError extends InputError {
  constructor(readonly problems: Problem[]) {
    super(`${counted(problems.length, 'problem')} in the registry`);
  }
}
