// With a workload-identity configuration, a `cnspec scan` whose own token exchange fails does
// not stop: it warns, scans in incognito mode and exits as if nothing happened, so the results
// silently go nowhere. Its log is the only sign, and the action knows it did not ask for
// incognito, so the warning is enough to tell.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g
const SWITCHED = /switching to --incognito mode/i
const EXCHANGE_FAILED = /could not exchange external \(wif\) token/i

/** True when cnspec's stderr shows that it scanned in incognito mode without being asked to. */
export function fellBackToIncognito(stderr: string): boolean {
  const plain = stderr.replace(ANSI, '')
  return SWITCHED.test(plain) || EXCHANGE_FAILED.test(plain)
}

/** Why a scan's exchange can fail when the one before it (cnspec status) succeeded. */
export const SCAN_EXCHANGE_CAUSES = [
  'Each cnspec process exchanges on its own, so the scan can fail where cnspec status succeeded:',
  '  - the id-token request failed for this process (GitHub answers a request now and then with an error; ' +
    'ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN did not reach cnspec)',
  "  - the binding's expiration passed, or it was disabled or deleted, between the two exchanges",
  "  - Mondoo's STS limited the rate of exchanges (each cnspec process exchanges once)"
]
