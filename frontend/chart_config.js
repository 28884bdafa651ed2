/*
 * The pure half of the analytics page's charts (frontend/charts.js): a chart
 * document as teaching/analytics.py's Chart.as_json writes it, and the page's
 * colours, into a Chart.js configuration. No DOM here, so node's test runner
 * checks it (tests/js/charts.test.mjs).
 *
 * A chart document: {kind: "bar"|"line", labels: [...], series: [{label,
 * values, tone, share}], xTitle, yTitle, horizontal}. `tone` names one of
 * site.css's custom properties (accent, pass, fail, error); `share` series
 * hold 0..1 and get a percent axis of their own.
 */

// The custom properties the charts are drawn in (site.css :root, and its dark scheme).
export const COLOUR_NAMES = ["fg", "fg-soft", "border", "bg", "accent", "pass", "fail", "error"];

// Lines are told apart by their dash and point shape too, not by colour alone.
const DASHES = [[], [6, 4], [2, 3]];
const POINTS = ["circle", "rectRot", "triangle"];

export function valueText(value, share) {
  if (value === null || value === undefined) return "—";
  return share ? `${Math.round(value * 100)}%` : String(value);
}

function axisTitle(text, colours) {
  return { display: Boolean(text), text, color: colours["fg-soft"] };
}

// The scales are named after their axis ("x", "y"), and every dataset names
// both of its own: Chart.js adds a default scale for any axis a dataset does
// not name, which would draw the labels twice.
function dataset(series, index, spec, colours) {
  const colour = colours[series.tone] || colours.accent;
  const line = spec.kind === "line";
  const value = series.share ? "share" : spec.horizontal ? "x" : "y";
  return {
    type: spec.kind,
    label: series.label,
    data: series.values,
    xAxisID: spec.horizontal ? value : "x",
    yAxisID: spec.horizontal ? "y" : value,
    backgroundColor: colour,
    borderColor: colour,
    borderWidth: line ? 2 : 0,
    borderDash: line ? DASHES[index % DASHES.length] : [],
    pointStyle: POINTS[index % POINTS.length],
    pointRadius: line ? 3 : 0,
    // One or two bars must not fill the whole width.
    maxBarThickness: 56,
    // A day without attempts has no share: the line goes on across it.
    spanGaps: true,
  };
}

export function chartConfig(spec, colours) {
  const counts = spec.series.some((series) => !series.share);
  const shares = spec.series.some((series) => series.share);
  const valueAxis = spec.horizontal ? "x" : "y";
  const grid = { color: colours.border };
  const ticks = { color: colours["fg-soft"] };
  const categoryAxis = spec.horizontal ? "y" : "x";
  const scales = {
    [categoryAxis]: {
      axis: categoryAxis,
      type: "category",
      title: axisTitle(spec.horizontal ? "" : spec.xTitle, colours),
      grid: { ...grid, display: false },
      ticks,
    },
  };
  if (counts) {
    scales[valueAxis] = {
      axis: valueAxis,
      type: "linear",
      beginAtZero: true,
      position: spec.horizontal ? "bottom" : "left",
      title: axisTitle(spec.horizontal ? spec.xTitle : spec.yTitle, colours),
      grid,
      // Learners and submissions come in whole numbers.
      ticks: { ...ticks, precision: 0 },
    };
  }
  if (shares) {
    scales.share = {
      axis: valueAxis,
      type: "linear",
      min: 0,
      max: 1,
      position: counts ? "right" : "left",
      // With counts on the left, one grid is enough.
      grid: counts ? { ...grid, drawOnChartArea: false } : grid,
      title: axisTitle(counts ? "Share passed" : spec.yTitle || "Share", colours),
      ticks: { ...ticks, callback: (value) => valueText(value, true) },
    };
  }
  return {
    type: spec.kind,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series, index) => dataset(series, index, spec, colours)),
    },
    options: {
      indexAxis: spec.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      // Drawn at once: nothing moves for those who asked for less motion, and
      // a redraw on a change of colour scheme does not flash.
      animation: false,
      scales,
      plugins: {
        legend: {
          display: spec.series.length > 1,
          labels: { color: colours.fg, usePointStyle: true },
        },
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label}: ${valueText(item.raw, spec.series[item.datasetIndex].share)}`,
          },
        },
      },
    },
  };
}

// How tall a horizontal bar chart must be for its labels to fit, in pixels.
export function barsHeight(spec) {
  return Math.max(160, 48 + spec.labels.length * 28 * Math.max(1, spec.series.length * 0.75));
}
