import { Box, Text } from 'ink';
import { lostAt, narrowestMtu, type PathPicture } from '../path-hops.js';
import { useTone } from '../theme.js';

function hopLabel(h: PathPicture['hops'][number]): string {
  const where = h.device && h.device !== h.name ? `${h.name}:${h.device}` : h.name;
  const mark = h.seen === true ? ' ✓' : h.seen === false ? ' ✗' : '';
  const mtu = h.mtu !== undefined ? ` ${h.mtu}` : '';
  const detail = h.detail ? ` (${h.detail})` : '';
  return `${where}${mark}${mtu}${detail}`;
}

/** Rows of hop tokens joined by arrows, wrapped to `width`; returns token indexes per row. */
export function layoutHops(labels: string[], width: number): number[][] {
  const rows: number[][] = [[]];
  let used = 0;
  labels.forEach((l, i) => {
    const cost = (used === 0 ? 0 : 3) + l.length;
    const row = rows[rows.length - 1] as number[];
    if (used > 0 && used + cost > width) {
      rows.push([i]);
      used = l.length + 3; // continuation rows start with "→ "
    } else {
      row.push(i);
      used += cost;
    }
  });
  return rows;
}

/** pod → veth → tunnel → NIC → … → pod, with the hop where the packet vanished (✗) or the
 * narrowest MTU in inverse, so it stands out without colour too. */
export function PathPictureView({ picture, width }: { picture: PathPicture; width: number }) {
  const tone = useTone();
  const labels = picture.hops.map(hopLabel);
  const lost = lostAt(picture.hops);
  // a hop the facts single out wins over the plain smallest MTU
  const narrow = picture.highlight ?? narrowestMtu(picture.hops);
  const rows = layoutHops(labels, Math.max(20, width - 2));
  const nodesOf = [...new Set(picture.hops.map((h) => h.node).filter((n): n is string => !!n))];
  let verdict = '';
  if (lost !== null) {
    const prev = lost > 0 ? picture.hops[lost - 1] : undefined;
    const at = picture.hops[lost];
    verdict = prev
      ? `packet last seen at ${prev.name}${prev.node ? ` (${prev.node})` : ''}, lost before ${at?.name}${at?.node ? ` (${at.node})` : ''}`
      : `packet never seen (first hop ${at?.name})`;
  } else if (picture.hops.some((h) => h.seen === true)) {
    verdict = 'packet seen at every hop';
  }
  if (picture.note) {
    verdict = `${verdict ? `${verdict}; ` : ''}${picture.note}`;
  } else if (narrow !== null) {
    const h = picture.hops[narrow];
    verdict = `${verdict ? `${verdict}; ` : ''}smallest MTU ${h?.mtu} at ${h?.name}${h?.node ? ` (${h.node})` : ''}`;
  }
  if (picture.pathMtu !== undefined) verdict = `${verdict ? `${verdict}; ` : ''}path MTU ${picture.pathMtu}`;
  return (
    <Box flexDirection="column">
      <Text bold>
        Path <Text dimColor>{nodesOf.length ? `(${nodesOf.join(' → ')})` : ''}</Text>
      </Text>
      {rows.map((row, r) => (
        <Text key={r} wrap="truncate-end">
          {r > 0 ? '  → ' : '  '}
          {row.map((i, k) => {
            const stand = i === lost || i === narrow;
            return (
              <Text key={i}>
                {k > 0 ? ' → ' : ''}
                <Text inverse={stand} bold={stand} color={stand ? tone('red') : picture.hops[i]?.seen === true ? tone('green') : undefined}>
                  {labels[i]}
                </Text>
              </Text>
            );
          })}
        </Text>
      ))}
      {verdict ? <Text wrap="truncate-end">  {verdict}</Text> : null}
    </Box>
  );
}

export function pathPictureHeight(picture: PathPicture, width: number): number {
  const rows = layoutHops(picture.hops.map(hopLabel), Math.max(20, width - 2)).length;
  const hasVerdict = picture.hops.some((h) => h.seen !== undefined && h.seen !== null) || narrowestMtu(picture.hops) !== null || picture.pathMtu !== undefined || !!picture.note;
  return 1 + rows + (hasVerdict ? 1 : 0);
}
