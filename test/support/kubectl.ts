import { execFileSync } from 'node:child_process';

/**
 * Why kubectl tests must skip (said loudly on stderr), or false when kubectl runs here. kubectl on
 * this machine is a dispatcher that runs a version-matched binary (1.27-1.33) per the server's
 * /version. `consequence` says what goes untested.
 */
export function kubectlMissing(consequence = 'the kubectl wire contract is untested'): string | false {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe', timeout: 10_000 });
    return false;
  } catch (err) {
    const why = `SKIPPED: kubectl cannot run here (${(err as Error).message.split('\n')[0] ?? ''}); ${consequence}`;
    process.stderr.write(`\n*** ${why} ***\n`);
    return why;
  }
}
