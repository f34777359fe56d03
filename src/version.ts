/** Kept in step with package.json by a test; read by --version, reports and the PR comment footer. */
export const VERSION = '0.1.0';
