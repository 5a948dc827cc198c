/** The overview's sparkline span: the last minute, one point a second. */
export const sparklineSeconds = 60

/** The chart windows an operator can pick on a pipeline's page; it opens on the first. */
export const chartWindows = [
  { seconds: 300, label: '5 min' },
  { seconds: 900, label: '15 min' },
  { seconds: 3_600, label: '1 h' },
] as const
