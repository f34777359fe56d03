// The Rego sources themselves: strict compile and every *_test.rego, through the same script as npm run policy:test.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findOpa, opaTooOld, opaVersion, requireOpa } from '../../src/policy/opa-cli.ts';

describe('npm run opa:install', () => {
  it('reuses the pinned opa already in .tools/bin without calling go', () => {
    // go lives in /usr/local/go/bin: with PATH cut to /usr/bin:/bin an install attempt would fail
    const run = spawnSync(process.execPath, ['scripts/install-opa.mjs'], { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin' } });
    expect(run.stdout).toMatch(/^opa v1\.22\.3: \S+\/\.tools\/bin\/opa\n$/);
    expect(run.status).toBe(0);
  });
});

describe('npm run policy:test', () => {
  it('opa check --strict and opa test pass on policies/', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/policy-test.ts'], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/FAIL|error/i);
    expect(run.stdout).toMatch(/PASS: \d+\/\d+/);
    for (const rule of ['SG101', 'SG102', 'SG103', 'SG104', 'SG105', 'SG106', 'SG107', 'SG108']) {
      expect(run.stdout).toContain(`policies/registry/${rule}/`);
    }
    expect(run.status).toBe(0);
  });
});

describe('the opa that compiles custom policies', () => {
  it('must be OPA v1: an older one would read valid Rego v1 as syntax errors', () => {
    // `opa version` prints "Version: 0.70.0" on the last v0 release and "Version: 1.22.3" on the pinned one
    expect(opaTooOld('0.70.0')).toBe('v0.70.0');
    expect(opaTooOld('v0.9.1')).toBe('v0.9.1');
    expect(opaTooOld('1.0.0')).toBeUndefined();
    expect(opaTooOld('unknown')).toBeUndefined();
    const pinned = findOpa();
    expect(pinned, 'opa not found: run npm run opa:install').toBeDefined();
    expect(opaTooOld(opaVersion(pinned!))).toBeUndefined();
    expect(requireOpa('custom policies')).toBe(pinned);
  });
});
