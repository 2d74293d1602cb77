import { defineParser, couldNotParse, parsed, distinct, int, isIP, lines } from './outcome.js';

interface Answer {
  name: string;
  ttl: number | null;
  class: string;
  type: string;
  data: string;
}

const ANSWER_LINE = /^(\S+)\s+(\d+)\s+(IN|CH|HS)\s+([A-Z0-9]+)\s+(.+)$/;

/** dig, full or +short. Full output gives the status (NOERROR, NXDOMAIN, REFUSED, SERVFAIL)
 * and the name actually answered; an unreachable server is `status: UNREACHABLE`. */
export const digParser = defineParser({
  name: 'dig',
  description: 'dig [+short] NAME: status, answers [{name, ttl, type, data}], addresses, question, server, query_time_ms, resolved',
  fields: ['format', 'status', 'answers', 'addresses', 'cnames', 'question', 'answered_name', 'server', 'query_time_ms', 'resolved', 'answer_count'],
  parse({ stdout, stderr }) {
    const text = stdout;
    const all = `${stdout}\n${stderr}`;
    const header = /->>HEADER<<-.*status:\s*([A-Z]+)/.exec(text);
    if (header) {
      const answers: Answer[] = [];
      let section = '';
      let question = '';
      let server = '';
      let queryTime: number | null = null;
      for (const line of lines(text)) {
        const sec = /^;;\s+([A-Z ]+) SECTION:/.exec(line);
        if (sec) {
          section = sec[1] ?? '';
          continue;
        }
        if (line.trim() === '') {
          section = '';
          continue;
        }
        if (section === 'QUESTION' && line.startsWith(';')) {
          question = (line.slice(1).trim().split(/\s+/)[0] ?? '').replace(/\.$/, '');
          continue;
        }
        if (section === 'ANSWER' && !line.startsWith(';')) {
          const a = ANSWER_LINE.exec(line.trim());
          if (a) answers.push({ name: (a[1] ?? '').replace(/\.$/, ''), ttl: int(a[2]), class: a[3] ?? '', type: a[4] ?? '', data: (a[5] ?? '').trim().replace(/\.$/, '') });
          continue;
        }
        const sv = /^;;\s+SERVER:\s+(\S+)/.exec(line);
        if (sv) server = sv[1] ?? '';
        const qt = /^;;\s+Query time:\s+(\d+)\s+msec/.exec(line);
        if (qt) queryTime = int(qt[1]);
      }
      const addresses = answers.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => a.data);
      const status = header[1] ?? '';
      return parsed({
        format: 'full',
        status,
        answers,
        addresses: distinct(addresses),
        cnames: answers.filter((a) => a.type === 'CNAME').map((a) => a.data),
        question,
        // the last name in the chain that holds an address: with search domains this shows
        // which suffix was appended (registry.example.org.corp.example)
        answered_name: answers.filter((a) => a.type === 'A' || a.type === 'AAAA')[0]?.name ?? '',
        server,
        query_time_ms: queryTime,
        resolved: status === 'NOERROR' && addresses.length > 0,
        answer_count: answers.length,
      });
    }
    if (/no servers could be reached|connection timed out|communications error|couldn't get address/i.test(all)) {
      return parsed({ format: 'error', status: 'UNREACHABLE', answers: [], addresses: [], cnames: [], resolved: false, answer_count: 0 });
    }
    // +short: one record per line, addresses and names (CNAME targets end with a dot)
    const short = lines(text)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const plausible = short.every((l) => isIP(l) || /^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*\.?$/.test(l) || /^"/.test(l));
    if (!plausible) return couldNotParse('dig output', 'neither a ->>HEADER<<- section nor +short answer lines');
    const addresses = short.filter(isIP);
    return parsed({
      format: 'short',
      // +short hides the status: no lines is NXDOMAIN or an empty NOERROR
      status: addresses.length > 0 ? 'NOERROR' : 'NOANSWER',
      answers: short.map((d) => ({ name: '', ttl: null, class: 'IN', type: isIP(d) ? (d.includes(':') ? 'AAAA' : 'A') : 'CNAME', data: d.replace(/\.$/, '') })),
      addresses: distinct(addresses),
      cnames: short.filter((l) => !isIP(l)).map((l) => l.replace(/\.$/, '')),
      question: '',
      answered_name: '',
      server: '',
      resolved: addresses.length > 0,
      answer_count: short.length,
    });
  },
});
