import { defineParser, couldNotParse, parsed, distinct, isIP, lines } from './outcome.js';

/** getent hosts|ahosts NAME: what the libc resolver (search list, ndots, /etc/hosts) returns —
 * the name an application really connects to. Exit 2 means not found. */
export const getentHostsParser = defineParser({
  name: 'getent-hosts',
  description: 'getent hosts NAME: found, addresses, canonical_name (shows the search suffix that matched), names',
  fields: ['found', 'addresses', 'canonical_name', 'names', 'first_address'],
  parse({ stdout, exitCode }) {
    const rows = lines(stdout)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (rows.length === 0) {
      if (exitCode === 2 || exitCode === 0 || exitCode === null) {
        return parsed({ found: false, addresses: [], canonical_name: '', names: [], first_address: '' });
      }
      return couldNotParse('getent output', `no output and exit code ${exitCode}`);
    }
    const entries = rows.map((r) => r.split(/\s+/));
    if (!entries.every((e) => e[0] !== undefined && isIP(e[0]))) return couldNotParse('getent output', 'lines do not start with an address');
    const addresses = distinct(entries.map((e) => e[0] as string));
    const names = distinct(entries.flatMap((e) => e.slice(1).filter((x) => x !== 'STREAM' && x !== 'DGRAM' && x !== 'RAW')));
    return parsed({
      found: true,
      addresses,
      canonical_name: names[0] ?? '',
      names,
      first_address: addresses[0] ?? '',
    });
  },
});
