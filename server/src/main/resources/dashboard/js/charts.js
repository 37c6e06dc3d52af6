// Small SVG charts drawn here (no library): stacked columns, lines and horizontal bars, with axes,
// labels, a <title> per mark for hover, and the numbers as a table for screen readers.
import { h, s, uid, fmt } from './dom.js';

const FONT = 12;
const CHAR = 6.6; // average label character width at 12px, to size the y axis

/** Ticks from 0 to a round top that covers `max`: 0, step, 2·step ... */
export function niceTicks(max, count = 4, integer = true) {
  if (!(max > 0)) {
    return [0, 1, 2, 3, 4].slice(0, count + 1);
  }
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const err = raw / pow;
  let step = (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1) * pow;
  if (integer) {
    step = Math.max(1, Math.round(step));
  }
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    ticks.push(Math.round(v * 1e6) / 1e6);
  }
  return ticks;
}

/**
 * A chart in a <figure>: caption, legend, the SVG (redrawn when the width changes), and a
 * "Show as table" disclosure with the same numbers.
 */
export function chartFigure({ title, description, legend = [], draw, table, note }) {
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const plot = h('div', { class: 'chart-plot' });
  const figure = h('figure', { class: 'chart', 'aria-labelledby': titleId },
    h('figcaption', {},
      h('span', { class: 'chart-title', id: titleId, text: title }),
      description ? h('span', { class: 'chart-desc', id: descId, text: description }) : null),
    legend.length
      ? h('ul', { class: 'legend', 'aria-label': `${title}: legend` },
        legend.map((l) => h('li', {}, swatch(l.color, l.dashed), l.name)))
      : null,
    plot,
    note ? h('p', { class: 'chart-note', text: note }) : null,
    table ? dataTable(title, table) : null);

  let lastWidth = 0;
  const render = () => {
    const width = Math.max(260, Math.floor(plot.clientWidth || 600));
    if (Math.abs(width - lastWidth) < 8) {
      return;
    }
    lastWidth = width;
    const svg = draw(width);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-labelledby', description ? `${titleId} ${descId}` : titleId);
    plot.replaceChildren(svg);
  };
  // Drawn once attached (when the width is known), and again when it changes.
  const observer = new ResizeObserver(() => render());
  observer.observe(plot);
  requestAnimationFrame(render);
  return figure;
}

function swatch(color, dashed) {
  const el = h('span', { class: `swatch${dashed ? ' swatch-dashed' : ''}`, 'aria-hidden': 'true' });
  el.style.background = dashed ? 'transparent' : color;
  el.style.borderColor = color;
  return el;
}

function dataTable(title, { headers, rows }) {
  return h('details', { class: 'chart-table' },
    h('summary', { text: 'Show as table' }),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': title },
      h('table', {},
        h('caption', { class: 'visually-hidden', text: title }),
        h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0
          ? h('th', { scope: 'row', text: c })
          : h('td', { text: c })))))))));
}

function frame(width, height, yTicks, format) {
  const labelWidth = Math.max(...yTicks.map((t) => format(t).length)) * CHAR;
  const m = { top: 10, right: 10, bottom: 26, left: Math.ceil(labelWidth) + 12 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const top = yTicks[yTicks.length - 1] || 1;
  const y = (v) => m.top + plotH - (v / top) * plotH;
  const svg = s('svg', {
    class: 'chart-svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-size': FONT,
  });
  const grid = s('g', { class: 'grid' });
  for (const t of yTicks) {
    const yy = Math.round(y(t)) + 0.5;
    grid.append(
      s('line', { x1: m.left, x2: width - m.right, y1: yy, y2: yy, class: t === 0 ? 'axis-line' : 'grid-line' }),
      s('text', { x: m.left - 8, y: yy, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'tick' }, format(t)),
    );
  }
  svg.append(grid);
  return { svg, m, plotW, plotH, y, top };
}

/** Day labels under the plot, thinned so they never overlap. */
function xLabels(svg, labels, m, band, height) {
  const every = Math.max(1, Math.ceil(52 / band));
  const g = s('g', { class: 'x-labels' });
  labels.forEach((label, i) => {
    if (i % every !== 0 && i !== labels.length - 1) {
      return;
    }
    if (i === labels.length - 1 && i % every !== 0 && (i % every) < every * 0.6) {
      return; // the last label would collide with the one before it
    }
    g.append(s('text', {
      x: m.left + band * (i + 0.5), y: height - 8, 'text-anchor': 'middle', class: 'tick',
    }, label));
  });
  svg.append(g);
}

/**
 * Columns per label; several series are stacked. series: [{name, color, values}].
 */
export function columnChart({
  labels, series, format = fmt.compact, integer = true, height = 220, grouped = false,
}) {
  return (width) => {
    const totals = labels.map((_, i) => (grouped
      ? Math.max(0, ...series.map((se) => se.values[i] || 0))
      : series.reduce((sum, se) => sum + (se.values[i] || 0), 0)));
    const ticks = niceTicks(Math.max(0, ...totals), 4, integer);
    const { svg, m, plotW, y } = frame(width, height, ticks, format);
    const band = plotW / Math.max(1, labels.length);
    const barW = Math.max(1, Math.min(36, band * 0.72));
    // Side by side when grouped: each series gets a slice of the bar's width.
    const slice = grouped ? barW / series.length : barW;
    const bars = s('g', { class: 'bars' });
    labels.forEach((label, i) => {
      let base = 0;
      series.forEach((se, si) => {
        const v = se.values[i] || 0;
        if (v <= 0) {
          return;
        }
        const y1 = y(grouped ? v : base + v);
        const y0 = y(grouped ? 0 : base);
        const rect = s('rect', {
          x: (m.left + band * i + (band - barW) / 2 + (grouped ? si * slice : 0)).toFixed(1),
          y: y1.toFixed(1),
          width: Math.max(1, grouped ? slice - 1 : slice).toFixed(1),
          height: Math.max(1, y0 - y1).toFixed(1),
          fill: se.color,
          class: 'bar',
        }, s('title', {}, `${label} · ${se.name}: ${format(v)}`));
        bars.append(rect);
        base += v;
      });
    });
    svg.append(bars);
    xLabels(svg, labels, m, band, height);
    return svg;
  };
}

/**
 * Lines per series over the labels; `max` fixes the top of the axis (100 for rates). `format` labels
 * the axis, `valueFormat` the points. A series with a `band` (such as {@link successBand}) gets each
 * point coloured and named by the band its value falls in.
 */
export function lineChart({
  labels, series, format = fmt.compact, valueFormat = format, integer = true, height = 220, max,
}) {
  return (width) => {
    const highest = max ?? Math.max(0, ...series.flatMap((se) => se.values.filter((v) => v !== null)));
    const ticks = max ? [0, max / 4, max / 2, (3 * max) / 4, max] : niceTicks(highest, 4, integer);
    const { svg, m, plotW, y } = frame(width, height, ticks, format);
    const band = plotW / Math.max(1, labels.length);
    const x = (i) => m.left + band * (i + 0.5);
    const lines = s('g', { class: 'lines' });
    series.forEach((se) => {
      let d = '';
      let pen = false;
      se.values.forEach((v, i) => {
        if (v === null || v === undefined) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      if (d) {
        lines.append(s('path', {
          d, fill: 'none', stroke: se.color, 'stroke-width': 2.25, 'stroke-linejoin': 'round', 'stroke-linecap': 'round',
          'stroke-dasharray': se.dashed ? '6 4' : null, class: 'line',
        }));
      }
      const dots = s('g', { class: 'dots' });
      se.values.forEach((v, i) => {
        if (v === null || v === undefined || (labels.length > 45 && v === 0)) {
          return;
        }
        // A point without neighbours draws no line, so it gets a larger dot.
        const alone = (se.values[i - 1] ?? null) === null && (se.values[i + 1] ?? null) === null;
        const r = alone ? 4 : labels.length > 45 ? 2 : 3;
        const band = se.band ? se.band(v) : null;
        dots.append(s('circle', {
          cx: x(i).toFixed(1), cy: y(v).toFixed(1), r, fill: se.color, class: band ? `dot rate-${band.tone}` : 'dot',
        }, s('title', {}, `${labels[i]} · ${se.name}: ${valueFormat(v)}${band ? ` (${band.word})` : ''}`)));
      });
      lines.append(dots);
    });
    svg.append(lines);
    xLabels(svg, labels, m, band, height);
    return svg;
  };
}

/**
 * Horizontal bars, one group per category (e.g. an endpoint), one bar per series.
 * categories: ['label', ...]; series: [{name, color, values, band?}] (`band` as for {@link lineChart}).
 */
export function barRows({ categories, series, format = fmt.compact, valueFormat = format, integer = true, max }) {
  return (width) => {
    const rowH = series.length * 14 + 18;
    const labelH = 16;
    const axisH = 22;
    const height = categories.length * (rowH + labelH) + axisH + 6;
    const highest = max ?? Math.max(0, ...series.flatMap((se) => se.values));
    const ticks = max ? [0, max / 4, max / 2, (3 * max) / 4, max] : niceTicks(highest, 4, integer);
    const top = ticks[ticks.length - 1] || 1;
    const left = 8;
    const right = 56;
    const plotW = width - left - right;
    const x = (v) => left + (v / top) * plotW;
    const svg = s('svg', { class: 'chart-svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-size': FONT });
    const grid = s('g', { class: 'grid' });
    const bottom = height - axisH;
    for (const t of ticks) {
      const xx = Math.round(x(t)) + 0.5;
      grid.append(
        s('line', { x1: xx, x2: xx, y1: 4, y2: bottom, class: t === 0 ? 'axis-line' : 'grid-line' }),
        s('text', { x: xx, y: height - 6, 'text-anchor': 'middle', class: 'tick' }, format(t)),
      );
    }
    svg.append(grid);
    const bars = s('g', { class: 'bars' });
    categories.forEach((cat, ci) => {
      const y0 = 4 + ci * (rowH + labelH);
      bars.append(s('text', { x: left, y: y0 + 11, class: 'row-label' }, cat));
      series.forEach((se, si) => {
        const v = se.values[ci] || 0;
        const yy = y0 + labelH + si * 14 + 2;
        const w = Math.max(v > 0 ? 2 : 0, x(v) - left);
        const band = se.band ? se.band(v) : null;
        bars.append(s('rect', {
          x: left, y: yy, width: w.toFixed(1), height: 11, rx: 2, fill: se.color, class: band ? `bar rate-${band.tone}` : 'bar',
        }, s('title', {}, `${cat} · ${se.name}: ${valueFormat(v)}${band ? ` (${band.word})` : ''}`)));
        bars.append(s('text', { x: (left + w + 5).toFixed(1), y: yy + 9.5, class: 'bar-value' }, valueFormat(v)));
      });
    });
    svg.append(bars);
    return svg;
  };
}

const SOURCE_COLORS = {
  widget: '#4263eb',
  api: '#0b7285',
  discord: '#7048e8',
  slack: '#f08c00',
  whatsapp: '#37b24d',
  messenger: '#e64980',
  instagram: '#c2255c',
  telegram: '#74c0fc',
  unknown: '#868e96',
};
const SPARE = ['#e8590c', '#ae3ec9', '#1098ad', '#74b816', '#c2255c', '#5c7cfa', '#fab005'];

/** A stable colour per chat source. */
export function sourceColor(source, index) {
  return SOURCE_COLORS[source] || SPARE[index % SPARE.length];
}

export const COLORS = {
  credits: '#5f3dc4',
  leads: '#0ca678',
  escalations: '#e8590c',
  p50: '#4263eb',
  p95: '#f08c00',
  // The line joining success-rate points: neutral, since each point carries its band's colour.
  rate: '#868e96',
};

/**
 * The bands of a delivery success rate (in %): 99 % or more is good, from 90 % it needs attention,
 * below that it is poor. Each has a colour class (app.css: rate-good, rate-warn, rate-bad) and words,
 * so that a rate is never told by colour alone.
 */
export const SUCCESS_BANDS = [
  { tone: 'good', min: 99, word: 'good', legend: '99 % or more: good', color: 'var(--ok)' },
  { tone: 'warn', min: 90, word: 'needs attention', legend: '90 % to 99 %: needs attention', color: 'var(--warn)' },
  { tone: 'bad', min: -Infinity, word: 'poor', legend: 'below 90 %: poor', color: 'var(--bad)' },
];

/** The band of a success rate given in % (0–100). */
export function successBand(percent) {
  return SUCCESS_BANDS.find((b) => percent >= b.min);
}
