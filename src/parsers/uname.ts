import { defineParser, couldNotParse, parsed, int } from './outcome.js';

/** uname -r (or -a): kernel version. tcp_tw_recycle exists only before 4.12. */
export const unameParser = defineParser({
  name: 'uname',
  description: 'uname -r: kernel, major, minor, patch, tw_recycle_possible (kernel < 4.12)',
  fields: ['kernel', 'major', 'minor', 'patch', 'tw_recycle_possible'],
  parse({ stdout }) {
    const tokens = stdout.trim().split(/\s+/);
    // uname -r prints the release alone; uname -a prints it third
    const release = tokens.length >= 3 && tokens[0] === 'Linux' ? tokens[2] : tokens[0];
    const m = release ? /^(\d+)\.(\d+)(?:\.(\d+))?([-+_.~a-zA-Z0-9]*)$/.exec(release) : null;
    if (!m || !release) return couldNotParse('uname output', 'no kernel release like 3.10.0-1160.el7.x86_64');
    const major = int(m[1]) ?? 0;
    const minor = int(m[2]) ?? 0;
    return parsed({
      kernel: release,
      major,
      minor,
      patch: int(m[3]),
      tw_recycle_possible: major < 4 || (major === 4 && minor < 12),
    });
  },
});
