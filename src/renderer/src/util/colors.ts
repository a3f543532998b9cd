// Stable colors for chart series: a counter keeps its color whatever its rank
// (golden-angle hues, so neighbouring indices differ strongly); guests get
// theirs by creation order.

import { COUNTERS } from '../../../shared/stats';

export function counterColor(id: string, isDark: boolean): string {
  const i = COUNTERS.findIndex((c) => c.id === id);
  const hue = Math.round((i * 137.508 + 210) % 360);
  return isDark ? `hsl(${hue} 70% 64%)` : `hsl(${hue} 68% 42%)`;
}

const GUEST_HUES = [215, 25, 140, 290, 350, 180, 55, 255];

export function guestColor(index: number, isDark: boolean): string {
  const hue = GUEST_HUES[index % GUEST_HUES.length]!;
  return isDark ? `hsl(${hue} 75% 65%)` : `hsl(${hue} 70% 42%)`;
}
