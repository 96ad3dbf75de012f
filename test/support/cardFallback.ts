/**
 * Teams' chart elements (`Chart.*`) are not Adaptive Card 1.5 elements: Teams draws them, every
 * other host renders their `fallback`. A card is checked both ways: the chart's own shape here,
 * and the card as an older host sees it (each chart replaced by its fallback) against the schema.
 */

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const TEAMS_CHART_TYPES = [
  'Chart.VerticalBar',
  'Chart.VerticalBar.Grouped',
  'Chart.HorizontalBar',
  'Chart.Line',
  'Chart.Pie',
  'Chart.Donut',
] as const;

function isChart(node: JsonObject): boolean {
  return (TEAMS_CHART_TYPES as readonly string[]).includes(String(node.type));
}

/** The card with every chart replaced by its fallback, as a host without charts renders it. */
export function asHostWithoutChartsSees(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asHostWithoutChartsSees);
  if (!isObject(node)) return node;
  const chosen = isChart(node) ? node.fallback : node;
  if (!isObject(chosen)) return chosen;
  return Object.fromEntries(
    Object.entries(chosen).map(([key, value]) => [key, asHostWithoutChartsSees(value)]),
  );
}

/** Each chart needs an element fallback and points of a string `x` and a number `y`. */
export function chartProblems(node: unknown, where = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => chartProblems(item, `${where}/${i}`));
  if (!isObject(node)) return [];
  const own: string[] = [];
  if (isChart(node)) {
    if (!isObject(node.fallback) || typeof node.fallback.type !== 'string')
      own.push(`${where} ${String(node.type)} needs an element fallback`);
    const data = node.data;
    if (
      !Array.isArray(data) ||
      data.length === 0 ||
      !data.every((p) => isObject(p) && typeof p.x === 'string' && typeof p.y === 'number')
    )
      own.push(`${where}/data must be points {x: string, y: number}`);
  }
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, value]) => chartProblems(value, `${where}/${key}`)),
  ];
}
