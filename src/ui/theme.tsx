// Colour is emphasis only: every state is also told by a glyph or a word, so NO_COLOR
// (https://no-color.org: set and non-empty) loses nothing. Bold and inverse stay.
import { createContext, useContext } from 'react';

export type Tone = 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'magenta';

export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

const ThemeContext = createContext<{ color: boolean }>({ color: colorEnabled() });
export const ThemeProvider = ThemeContext.Provider;

/** tone('red') → 'red', or undefined under NO_COLOR. */
export function useTone(): (t: Tone) => Tone | undefined {
  const { color } = useContext(ThemeContext);
  return (t) => (color ? t : undefined);
}
