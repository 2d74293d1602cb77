import { afterEach, describe, expect, it } from 'vitest';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { PathPictureView, layoutHops } from '../../src/ui/components/PathPictureView.js';
import { OutputTail } from '../../src/ui/components/OutputTail.js';
import { ThemeProvider, colorEnabled, useTone } from '../../src/ui/theme.js';

afterEach(() => cleanup());

describe('components', () => {
  it('the MTU path names the hop the facts single out', () => {
    const { lastFrame } = render(
      <PathPictureView
        width={100}
        picture={{
          source: 'nodelink',
          hops: [{ name: 'pod', device: 'eth0', mtu: 1500 }, { name: 'tunnel', device: 'vxlan0', mtu: 1440 }, { name: 'node NIC', device: 'ens3', mtu: 1450 }],
          highlight: 1,
          note: 'vxlan0 MTU 1440 + 50 bytes of encapsulation > ens3 MTU 1450',
        }}
      />,
    );
    expect(lastFrame()).toContain('pod:eth0 1500 → tunnel:vxlan0 1440 → node NIC:ens3 1450');
    expect(lastFrame()).toContain('vxlan0 MTU 1440 + 50 bytes of encapsulation > ens3 MTU 1450');
  });

  it('long paths wrap onto continuation rows instead of running off the screen', () => {
    const labels = Array.from({ length: 8 }, (_, i) => `hop-number-${i} ✓ 1450`);
    const rows = layoutHops(labels, 60);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('the output tail is exactly as tall as asked and says how much it left out', () => {
    const { lastFrame } = render(<OutputTail tail={{ lines: ['a', 'b', 'c', 'd', 'e'], totalLines: 1000, totalBytes: 5 * 1024 * 1024 }} height={3} width={80} />);
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('… 998 earlier lines (5.0 MiB; full output in the transcript)');
    expect(lines.slice(1).map((l) => l.trim())).toEqual(['│ d', '│ e']);
  });

  it('NO_COLOR (set and non-empty) turns colour off; bold and inverse stay', () => {
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({})).toBe(true);
    function Probe() {
      const tone = useTone();
      return <Text>{`tone=${String(tone('red'))}`}</Text>;
    }
    const off = render(
      <ThemeProvider value={{ color: false }}>
        <Probe />
      </ThemeProvider>,
    );
    expect(off.lastFrame()).toBe('tone=undefined');
    const on = render(
      <ThemeProvider value={{ color: true }}>
        <Probe />
      </ThemeProvider>,
    );
    expect(on.lastFrame()).toBe('tone=red');
  });
});
