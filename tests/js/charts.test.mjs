/* The pure half of the analytics charts (frontend/chart_config.js), under node's test runner. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { barsHeight, chartConfig, COLOUR_NAMES, valueText } from "../../frontend/chart_config.js";

const COLOURS = Object.fromEntries(COLOUR_NAMES.map((name) => [name, `#${name}`]));

const PASS_RATE = {
  kind: "line",
  labels: ["2026-01-05", "2026-01-06"],
  series: [
    { label: "Attempts", values: [3, 0], tone: "accent", share: false },
    { label: "Learners passed so far", values: [1, 1], tone: "pass", share: false },
    { label: "Share passed", values: [0.33, null], tone: "error", share: true },
  ],
  xTitle: "Day",
  yTitle: "Attempts, learners",
  horizontal: false,
};

const FAILED_TESTS = {
  kind: "bar",
  labels: ["test_add_negative", "test_add"],
  series: [{ label: "Learners", values: [2, 1], tone: "fail", share: false }],
  xTitle: "Learners who failed it",
  yTitle: "",
  horizontal: true,
};

test("a line chart with counts and a share has a percent axis on the right", () => {
  const config = chartConfig(PASS_RATE, COLOURS);

  assert.equal(config.type, "line");
  assert.deepEqual(config.data.labels, PASS_RATE.labels);
  assert.deepEqual(
    config.data.datasets.map((d) => [d.label, d.yAxisID, d.borderColor]),
    [
      ["Attempts", "y", "#accent"],
      ["Learners passed so far", "y", "#pass"],
      ["Share passed", "share", "#error"],
    ],
  );
  const { y: count, share, x: category } = config.options.scales;
  assert.deepEqual(Object.keys(config.options.scales).sort(), ["share", "x", "y"]);
  assert.ok(config.data.datasets.every((d) => d.xAxisID === "x"));
  assert.equal(category.axis, "x");
  assert.equal(category.title.text, "Day");
  assert.equal(count.position, "left");
  assert.equal(count.title.text, "Attempts, learners");
  assert.equal(count.ticks.precision, 0);
  assert.deepEqual([share.position, share.min, share.max], ["right", 0, 1]);
  assert.equal(share.ticks.callback(0.5), "50%");
  assert.equal(share.grid.drawOnChartArea, false);
  // Lines differ by their dash, not only their colour.
  assert.notDeepEqual(config.data.datasets[0].borderDash, config.data.datasets[1].borderDash);
  assert.equal(config.options.plugins.legend.display, true);
});

test("the page's colours are used for text and grid lines", () => {
  const config = chartConfig(PASS_RATE, COLOURS);

  assert.equal(config.options.scales.y.grid.color, "#border");
  assert.equal(config.options.scales.y.ticks.color, "#fg-soft");
  assert.equal(config.options.plugins.legend.labels.color, "#fg");
});

test("a horizontal bar chart puts the counts along x and has no legend for one series", () => {
  const config = chartConfig(FAILED_TESTS, COLOURS);

  assert.equal(config.options.indexAxis, "y");
  assert.deepEqual([config.data.datasets[0].xAxisID, config.data.datasets[0].yAxisID], ["x", "y"]);
  assert.equal(config.options.scales.x.type, "linear");
  assert.equal(config.options.scales.x.title.text, "Learners who failed it");
  assert.equal(config.options.scales.y.type, "category");
  assert.equal(config.options.scales.share, undefined);
  assert.equal(config.options.plugins.legend.display, false);
  assert.equal(config.data.datasets[0].backgroundColor, "#fail");
});

test("a chart of shares only has its percent axis on the left", () => {
  const spec = {
    ...PASS_RATE,
    series: [{ label: "Mean share", values: [0.1, 0.2], tone: "pass", share: true }],
  };
  const config = chartConfig(spec, COLOURS);

  assert.equal(config.options.scales.y, undefined);
  assert.equal(config.options.scales.share.position, "left");
  assert.equal(config.data.datasets[0].yAxisID, "share");
});

test("the tooltip says shares in percent and counts as they are", () => {
  const config = chartConfig(PASS_RATE, COLOURS);
  const label = config.options.plugins.tooltip.callbacks.label;

  assert.equal(label({ dataset: { label: "Share passed" }, raw: 0.25, datasetIndex: 2 }), "Share passed: 25%");
  assert.equal(label({ dataset: { label: "Attempts" }, raw: 3, datasetIndex: 0 }), "Attempts: 3");
  assert.equal(valueText(null, true), "—");
});

test("an unknown tone falls back to the accent colour", () => {
  const spec = { ...FAILED_TESTS, series: [{ ...FAILED_TESTS.series[0], tone: "nope" }] };

  assert.equal(chartConfig(spec, COLOURS).data.datasets[0].backgroundColor, "#accent");
});

test("horizontal bar charts grow with their labels", () => {
  const many = { ...FAILED_TESTS, labels: Array.from({ length: 18 }, (_, n) => `e${n}`) };

  assert.ok(barsHeight(many) > barsHeight(FAILED_TESTS));
  assert.ok(barsHeight(FAILED_TESTS) >= 160);
});
