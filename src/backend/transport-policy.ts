/**
 * HTTPS by default (docs/security.md, "In transit"): plain HTTP only to a
 * loopback address (a local test server, a proxy on this machine) or when the
 * user explicitly accepts it with `--insecure-http`. Objects are encrypted
 * and verified either way; HTTP would expose the storage credentials'
 * signatures, object names and sizes, and let anyone on the path refuse or
 * replay requests.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** True for localhost and addresses in 127.0.0.0/8 or ::1. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}

/** Throws UsageError unless `endpoint` may be used: https, or http to loopback or with `insecureHttp`. */
export function checkTransport(endpoint: URL, insecureHttp: boolean, subject: string): void {
  if (endpoint.protocol === 'https:') return;
  if (endpoint.protocol !== 'http:') throw new UsageError(`${subject}: unsupported protocol ${endpoint.protocol} (use https)`);
  if (isLoopback(endpoint.hostname) || insecureHttp) return;
  throw new UsageError(
    `${subject}: plain http to ${endpoint.host} refused; use https, or --insecure-http to accept that anyone on the network path can see and block the traffic`,
  );
}
