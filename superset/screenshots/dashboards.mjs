// Opens each Runnel dashboard in headless Chromium (Debian's, driven by playwright-core), waits
// until every chart has rendered, and either saves a screenshot or times warm loads.
//   node dashboards.mjs shots URL OUT_DIR          docs/dashboard-<slug>.png for each dashboard
//   node dashboards.mjs bench URL LOADS            median warm load time per dashboard (JSON)
//   node dashboards.mjs trace URL SLUG             one warm load of a dashboard: what the page
//                                                  fetched, when (ms from navigation start)
// The admin password comes from RUNNEL_SUPERSET_ADMIN_PASSWORD, never from the command line.
import { chromium } from 'playwright-core';
import path from 'node:path';

const DASHBOARDS = [
  { slug: 'clickstream', charts: 6 },
  { slug: 'pipeline-health', charts: 6 },
];
const [mode, baseUrl, arg] = process.argv.slice(2);
const password = process.env.RUNNEL_SUPERSET_ADMIN_PASSWORD;
const user = process.env.RUNNEL_SUPERSET_ADMIN_USER || 'admin';
const executablePath = process.env.RUNNEL_CHROMIUM || '/usr/bin/chromium';
if (!['shots', 'bench', 'trace'].includes(mode) || !baseUrl || !arg) {
  console.error('usage: node dashboards.mjs shots URL OUT_DIR | bench URL LOADS | trace URL SLUG');
  process.exit(2);
}
if (!password) {
  console.error('dashboards.mjs: RUNNEL_SUPERSET_ADMIN_PASSWORD is not set');
  process.exit(2);
}

// A chart is done when its container holds a canvas (ECharts) or a table and no spinner; a chart
// that failed shows Superset's error alert instead, which fails the run.
async function waitForCharts(page, expected) {
  await page.waitForFunction(
    (n) => {
      const holders = [...document.querySelectorAll('.dashboard-component-chart-holder')];
      if (holders.length < n) return false;
      return holders.every(
        (h) =>
          !h.querySelector('.loading, [data-test="loading-indicator"]') &&
          (h.querySelector('canvas, svg, table, [data-test="alert"], .alert, [role="alert"]') !== null),
      );
    },
    expected,
    { timeout: 120_000, polling: 100 },
  );
  const errors = await page.$$eval('.dashboard-component-chart-holder', (holders) =>
    holders
      .filter((h) => h.querySelector('[data-test="alert"], .alert-danger, [role="alert"]') || !h.querySelector('canvas, svg, table'))
      .map((h) => h.innerText.trim().slice(0, 200)),
  );
  if (errors.length > 0) throw new Error(`charts failed to render: ${JSON.stringify(errors)}`);
}

async function login(page) {
  await page.goto(`${baseUrl}/login/`);
  await page.fill('input[name="username"], #username', user);
  await page.fill('input[name="password"], #password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 }),
    page.press('input[name="password"], #password', 'Enter'),
  ]);
}

// Each load in a new tab of the logged-in context (the browser cache stays warm): reusing one
// tab let the previous dashboard's charts satisfy the wait.
async function load(context, dashboard, keep = false) {
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(`${baseUrl}/superset/dashboard/${dashboard.slug}/?standalone=1`);
  await waitForCharts(page, dashboard.charts);
  const elapsed = Date.now() - started;
  if (keep) return page;
  await page.close();
  return elapsed;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1400 } });
  const loginPage = await context.newPage();
  await login(loginPage);
  await loginPage.close();
  const results = [];
  if (mode === 'trace') {
    const dashboard = DASHBOARDS.find((d) => d.slug === arg);
    if (!dashboard) throw new Error(`no dashboard ${arg}`);
    await load(context, dashboard); // warm-up, as in bench
    const started = Date.now();
    const page = await load(context, dashboard, true);
    console.log(`${dashboard.slug}: all charts drawn after ${Date.now() - started} ms`);
    const entries = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((r) => ({
        start: Math.round(r.startTime), end: Math.round(r.responseEnd),
        cached: r.transferSize === 0, url: r.name.replace(location.origin, '').slice(0, 100) })));
    for (const e of entries) console.log(`${e.start}\t${e.end}\t${e.cached ? 'cache' : 'net'}\t${e.url}`);
    await page.close();
  }
  for (const dashboard of mode === 'trace' ? [] : DASHBOARDS) {
    if (mode === 'shots') {
      const page = await load(context, dashboard, true);
      // Animations (ECharts draws in over ~1 s) settle before the picture is taken.
      await page.waitForTimeout(1500);
      const file = path.join(arg, `dashboard-${dashboard.slug}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`saved ${file}`);
      await page.close();
    } else {
      await load(context, dashboard); // warm-up: JavaScript bundles cached, Trino's plans warm
      const times = [];
      for (let i = 0; i < Number(arg); i++) times.push(await load(context, dashboard));
      results.push({ dashboard: dashboard.slug, loads_ms: times, median_ms: median(times),
        min_ms: Math.min(...times), max_ms: Math.max(...times) });
    }
  }
  if (mode === 'bench') console.log(JSON.stringify(results));
} finally {
  await browser.close();
}
