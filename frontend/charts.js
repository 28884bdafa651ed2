/*
 * The analytics page's charts (templates/teaching/analytics.html): each
 * canvas[data-chart] names the json_script element that holds its chart
 * document (teaching/analytics.py), drawn with Chart.js in the page's own
 * colours, read from site.css's custom properties, and drawn again when the
 * colour scheme changes. The numbers are also in a table after each chart,
 * for anyone without this script or without sight of the canvas.
 * Bundled by esbuild into build/frontend/js/charts.js.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

import { barsHeight, chartConfig, COLOUR_NAMES } from "./chart_config.js";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

function pageColours() {
  const style = getComputedStyle(document.documentElement);
  const colours = {};
  for (const name of COLOUR_NAMES) colours[name] = style.getPropertyValue(`--${name}`).trim();
  return colours;
}

function chartDocument(canvas) {
  const source = document.getElementById(canvas.dataset.chart);
  if (!source) return null;
  try {
    return JSON.parse(source.textContent);
  } catch {
    return null;
  }
}

const drawn = [];

function drawAll() {
  const colours = pageColours();
  const body = getComputedStyle(document.body);
  Chart.defaults.font.family = body.fontFamily;
  Chart.defaults.color = colours.fg;
  for (const chart of drawn.splice(0)) chart.destroy();
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const spec = chartDocument(canvas);
    if (!spec) continue;
    if (spec.horizontal && canvas.parentElement) {
      canvas.parentElement.style.height = `${barsHeight(spec)}px`;
    }
    drawn.push(new Chart(canvas, chartConfig(spec, colours)));
  }
}

drawAll();
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawAll);
