// Smoke test: load the UI from a running server, fail on any console error or page error,
// take a screenshot. Usage: node e2e/smoke.mjs BASE_URL [SCREENSHOT_DIR]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2];
const dir = process.argv[3] ?? 'test-output';
if (!base) {
  console.error('usage: node e2e/smoke.mjs BASE_URL [SCREENSHOT_DIR]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS, headless: true });
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()} @ ${m.location()?.url ?? ''}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(base, { waitUntil: 'networkidle', timeout: 30_000 });
  const title = await page.title();
  const h1 = (await page.locator('h1').first().textContent({ timeout: 10_000 }))?.trim();
  if (title !== 'YouTube Summarizer') problems.push(`title is ${JSON.stringify(title)}`);
  if (h1 !== 'YouTube Summarizer') problems.push(`h1 is ${JSON.stringify(h1)}`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(dir, 'smoke.png'), fullPage: true });
} catch (e) {
  problems.push(`error: ${e instanceof Error ? e.message : e}`);
} finally {
  await browser.close();
}
if (problems.length) {
  console.error('smoke FAILED\n' + problems.join('\n'));
  process.exit(1);
}
console.log('smoke ok');
