import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Series {
  name: string;
  points: Array<{ x: number; y: number }>;
}

const COLOURS = ['#1f5fbf', '#b3261e', '#1b7a3d', '#7a4fb3', '#a15c00', '#00707a'];

/** A metric's series against one x axis (step, or version number). */
export function SeriesChart({ title, series, xLabel }: { title: string; series: Series[]; xLabel: string }) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const rows = xs.map((x) => {
    const row: Record<string, number> = { x };
    for (const s of series) {
      const point = s.points.find((p) => p.x === x);
      if (point) row[s.name] = point.y;
    }
    return row;
  });
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid stroke="#ddd" />
          <XAxis dataKey="x" label={{ value: xLabel, position: 'insideBottom', offset: -8 }} />
          <YAxis width={64} />
          <Tooltip />
          <Legend verticalAlign="top" height={24} />
          {series.map((s, i) => (
            <Line
              key={s.name}
              dataKey={s.name}
              stroke={COLOURS[i % COLOURS.length]}
              dot={rows.length < 40}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
