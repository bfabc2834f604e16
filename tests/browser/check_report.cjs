// Opens xbar report pages in Debian's chromium (headless, through playwright-core) and checks
// that they render: every chart has an SVG or canvas with marks, the page reports no failed
// chart, and nothing is written to the console as an error. Saves a full-page screenshot of
// each. Usage: node check_report.cjs NODE_MODULES_DIR SCREENSHOT_DIR PAGE.html...
"use strict";
const path = require("path");
const fs = require("fs");
const [modules, shots, ...pages] = process.argv.slice(2);
const { chromium } = require(path.resolve(modules, "playwright-core"));

async function check(browser, page, file) {
  const problems = [];
  page.on("console", m => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("pageerror", e => problems.push("page error: " + e.message));
  // Offline: any request that leaves the file is a bug (the report must be self-contained).
  await page.route(url => !url.href.startsWith("file:"), route => {
    problems.push("network request: " + route.request().url());
    return route.abort();
  });
  await page.goto("file://" + path.resolve(file));
  const status = await page.evaluate(() => window.xbarReport);
  if (!status) problems.push("window.xbarReport is not set");
  else {
    if (status.failed.length) problems.push("charts failed: " + status.failed.join("; "));
    if (status.charts === 0) problems.push("no charts");
  }
  const charts = await page.$$eval(".chart", divs => divs.map(d => ({
    name: d.dataset.chart,
    marks: d.querySelectorAll("svg path, svg rect, svg line, svg circle, svg symbol").length,
    canvas: d.querySelector("canvas") !== null})));
  for (const c of charts)
    if (!c.canvas && c.marks === 0) problems.push(`chart ${c.name}: no SVG marks and no canvas`);
  const tables = await page.$$eval("table", ts => ts.length);
  if (tables === 0) problems.push("no tables");
  const shot = path.join(shots, path.basename(path.dirname(path.resolve(file))) + ".png");
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`${file}: ${charts.length} charts (${charts.map(c => c.name).join(", ")}), ` +
              `${tables} tables; screenshot ${shot}`);
  return problems;
}

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"]});
  // (playwright gives each launch a fresh temporary profile of its own)
  let failed = 0;
  try {
    for (const file of pages) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = await check(browser, page, file);
      for (const p of problems) console.error(`${file}: ${p}`);
      failed += problems.length > 0;
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})().catch(e => { console.error(e); process.exit(1); });
