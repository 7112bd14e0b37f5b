/** Small line charts for the live curves; several sessions share a chart (one colour each). */
export const SESSION_COLOURS = ['#1f77b4', '#d62728', '#777777'];

export interface ChartSeries {
  name: string;
  xs: number[];
  ys: number[];
}

export function drawChart(canvas: HTMLCanvasElement, title: string, series: ChartSeries[]): void {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = '#222';
  ctx.font = 'bold 12px sans-serif';
  ctx.fillText(title, 8, 15);
  const pts = series.flatMap((s) => s.xs.map((x, i) => [x, s.ys[i]] as const)).filter(([, y]) => Number.isFinite(y));
  if (!pts.length) return;
  let [x0, x1, y0, y1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const [L, T, R, B] = [44, 22, 8, 18];
  const X = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const Y = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(L, T, W - L - R, H - T - B);
  ctx.font = '10px sans-serif';
  ctx.fillStyle = '#555';
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));
  ctx.fillText(fmt(y1), 2, T + 8);
  ctx.fillText(fmt(y0), 2, H - B);
  ctx.fillText(String(Math.round(x1)), W - R - 30, H - 4);
  series.forEach((s, k) => {
    ctx.strokeStyle = SESSION_COLOURS[k % SESSION_COLOURS.length];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    s.xs.forEach((x, i) => {
      const y = s.ys[i];
      if (!Number.isFinite(y)) return void (pen = false);
      if (pen) ctx.lineTo(X(x), Y(y));
      else ctx.moveTo(X(x), Y(y));
      pen = true;
    });
    ctx.stroke();
    if (series.length > 1) {
      ctx.fillStyle = SESSION_COLOURS[k % SESSION_COLOURS.length];
      ctx.fillText(s.name, W - R - 110, T + 12 + 12 * k);
    }
  });
}
