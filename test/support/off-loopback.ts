/**
 * An address of this machine that is not loopback, for tests of what the service does with a
 * mail server "off this machine" without one: a server listening on 0.0.0.0 is reached through
 * it, and the service's rule (mail-tls.ts) sees a remote host.
 *
 * The first IPv4 address of a real interface. A machine with none (a sandbox with only `lo`)
 * gets 0.0.0.0: Linux delivers a connection to it to this machine's own listeners, and the rule
 * counts it as off loopback too, so the same refusal is exercised, only not across an interface.
 * `viaInterface` says which one a test ran with (its name shows it), so nothing passes unnoticed.
 */
import { networkInterfaces } from 'node:os';

export interface OffLoopback {
  /** An IPv4 address to connect to. */
  address: string;
  /** True: a real interface's address; false: the 0.0.0.0 fallback. */
  viaInterface: boolean;
}

export function offLoopbackAddress(): OffLoopback {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal && !entry.address.startsWith('127.'))
        return { address: entry.address, viaInterface: true };
    }
  }
  return { address: '0.0.0.0', viaInterface: false };
}

/** How a test title names the address it used. */
export function describeAddress(off: OffLoopback): string {
  return off.viaInterface ? `${off.address} (a network interface)` : '0.0.0.0 (no interface)';
}
