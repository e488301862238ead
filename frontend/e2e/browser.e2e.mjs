// End-to-end test of the web UI against a running `ytsum serve` (scripts/e2e-browser.sh starts it with the fakes).
// Usage: node e2e/browser.e2e.mjs BASE_URL SCREENSHOT_DIR
// Env: E2E_PLAYLIST_URL (default https://www.youtube.com/playlist?list=PLtestplaylist00000001),
//      E2E_VIDEO_URL (default https://www.youtube.com/watch?v=dQw4w9WgXcQ),
//      E2E_CANCEL_URL (a link that takes a while; default E2E_VIDEO_URL),
//      E2E_SEARCH_WORD (default "summary"), E2E_TIMEOUT_MS (per wait, default 120000),
//      CHROMIUM_PATH (default /usr/bin/chromium),
//      E2E_CHANNEL_URL and E2E_FAKE_CONTROL (scripts/fakeupstream's followable channel and its control
//      URL; both set: the subscriptions scenario runs),
//      E2E_EXPECT_TEXT (the run "with keys": submit E2E_VIDEO_URL with the form as it opens and
//      expect this text of the fake LLM in the summary, e.g. "FAKE-LLM summary by gpt-" for the
//      OpenAI key; the other steps are left to the run without keys).
// Fails (exit 1) on any console error or page error, or when a step does not hold.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2];
const dir = process.argv[3] ?? 'test-output/e2e';
if (!base) {
  console.error('usage: node e2e/browser.e2e.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const PLAYLIST = process.env.E2E_PLAYLIST_URL || 'https://www.youtube.com/playlist?list=PLtestplaylist00000001';
const VIDEO = process.env.E2E_VIDEO_URL || 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
const CANCEL = process.env.E2E_CANCEL_URL || VIDEO;
const WORD = process.env.E2E_SEARCH_WORD || 'summary';
const T = Number(process.env.E2E_TIMEOUT_MS || 120_000);
const EXPECT = process.env.E2E_EXPECT_TEXT || '';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'];

const problems = [];
const started = Date.now();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const root = base.replace(/\/$/, '') + '/';

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS, headless: true });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
const page = await context.newPage();
page.on('console', (m) => {
  if (m.type() === 'error') problems.push(`console error: ${m.text()} @ ${m.location()?.url ?? ''}`);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.setDefaultTimeout(T);

async function step(name, fn) {
  log(`▶ ${name}`);
  try {
    await fn();
    log(`✓ ${name}`);
  } catch (e) {
    problems.push(`step "${name}" failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    await page.screenshot({ path: join(dir, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    throw e;
  }
}

async function go(hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

/** Submits links from the Summarize screen; answers the playlist question when asked. Returns the new job id. */
async function submit(links, choice = 'playlist') {
  await go('#/');
  const before = await page.locator('article.job').evaluateAll((els) => els.map((e) => e.getAttribute('data-job-id')));
  await page.fill('#links', links);
  await page.press('#links', 'Control+Enter');
  const dialog = page.getByRole('dialog');
  if (await dialog.isVisible({ timeout: 1500 }).catch(() => false)) {
    await dialog.getByRole('button', { name: choice === 'playlist' ? 'The whole playlist' : 'Just the video' }).click();
  }
  const handle = await page.waitForFunction((old) => {
    // A provisional "local-" card shows while the request is in flight; it is the job only for a
    // synchronous answer (then it is completed at once).
    const cards = [...document.querySelectorAll('article.job')];
    const hit = cards.find((e) => {
      const id = e.getAttribute('data-job-id');
      return id && !old.includes(id) && (!id.startsWith('local-') || e.getAttribute('data-status') === 'completed');
    });
    return hit ? hit.getAttribute('data-job-id') : null;
  }, before, { timeout: T });
  return handle.jsonValue();
}

const job = (id) => page.locator(`article.job[data-job-id="${id}"]`);

/**
 * Subscriptions: follow a channel from the Summarize form, see it listed, a new feed entry
 * (added through the fake's control URL) becomes — after "Check now" — a summary marked new in
 * the library; opening it (listening) clears "new".
 */
async function subscriptionsScenario(channelURL, control) {
  const newID = 'e2eUpload01';
  const newTitle = 'Ocean Currents Explained';
  await step('follow a channel from the Summarize form', async () => {
    await go('#/');
    await page.fill('#links', channelURL);
    const offers = page.getByRole('list', { name: /can follow/ });
    await offers.getByRole('button', { name: 'Follow' }).click();
    await offers.getByRole('button', { name: 'Following' }).waitFor({ timeout: T });
    await page.fill('#links', '');
  });
  const row = page.getByRole('listitem', { name: 'Curious Things' });
  await step('the Subscriptions screen lists it', async () => {
    await go('#/subscriptions');
    await row.waitFor({ timeout: T });
    const text = await row.innerText();
    if (!/Channel/.test(text) || !/Every hour/.test(text)) throw new Error(`row: ${text}`);
    log(`  listed; picture: ${(await row.locator('img.avatar').count()) ? 'avatar' : 'letter'}`);
    await page.screenshot({ path: join(dir, 'subscriptions.png'), fullPage: true });
  });
  await step('a new feed entry becomes a summary marked new', async () => {
    const res = await fetch(`${control}/upload?id=${newID}&title=${encodeURIComponent(newTitle)}`, { method: 'POST' });
    if (!res.ok) throw new Error(`the fake refused the upload: ${res.status} ${await res.text()}`);
    const added = Date.now();
    await row.getByRole('button', { name: 'Check now' }).click();
    await page.getByText('1 new video is being summarized.').waitFor({ timeout: T });
    await row.getByText(/1 new/).waitFor({ timeout: T });
    // The summary lands when its job ends; the library's "new" filter shows it then.
    const card = page.locator(`article.card[aria-labelledby="t-${newID}"]`);
    for (;;) {
      await go('#/subscriptions');
      await row.getByRole('button', { name: 'New', exact: true }).click();
      await page.locator('#lib-h').waitFor();
      if (await card.isVisible({ timeout: 2000 }).catch(() => false)) break;
      if (Date.now() - added > T) throw new Error('the new video was never summarized');
      await page.waitForTimeout(1000);
    }
    await card.locator('.badge-new').waitFor({ timeout: T });
    log(`  summarized and marked new ${((Date.now() - added) / 1000).toFixed(1)} s after the entry appeared`);
    await page.screenshot({ path: join(dir, 'library-new.png'), fullPage: true });
  });
  await step('opening it clears "new"', async () => {
    const card = page.locator(`article.card[aria-labelledby="t-${newID}"]`);
    const opened = page.waitForResponse((r) => r.url().includes(`/library/${newID}/opened`) && r.request().method() === 'POST', { timeout: T });
    await card.getByRole('button', { name: /^Listen to/ }).click();
    const res = await opened;
    if (!res.ok()) throw new Error(`POST /library/${newID}/opened answered ${res.status()}`);
    const player = page.getByRole('region', { name: 'Audio player' });
    await player.waitFor();
    await player.getByRole('button', { name: 'Close player' }).click();
    await go('#/subscriptions');
    await row.waitFor();
    await page.waitForFunction(() => {
      const li = [...document.querySelectorAll('li.sub-row')].find((e) => e.getAttribute('aria-label') === 'Curious Things');
      return li && !/\d+ new/.test(li.querySelector('.card-title')?.textContent ?? '');
    }, null, { timeout: T });
    const check = await fetch(`${root}get_cached_summaries?page=1&per_page=10&new=1`).then((r) => r.json());
    if (check.total !== 0) throw new Error(`still ${check.total} new after opening`);
  });
  await step('the subscription shows its cached avatar', async () => {
    // Fetched after the follow answered; the browser sees it at its next list load.
    await row.locator('img.avatar').waitFor({ timeout: T });
    const ok = await row.locator('img.avatar').evaluate((img) => img.complete && img.naturalWidth > 0);
    if (!ok) throw new Error(`the avatar did not load: ${await row.locator('img.avatar').getAttribute('src')}`);
  });
}

try {
  await step('page loads', async () => {
    await page.goto(root, { waitUntil: 'networkidle' });
    const title = await page.title();
    if (title !== 'YouTube Summarizer') throw new Error(`title is ${JSON.stringify(title)}`);
    const h1 = (await page.locator('h1').textContent())?.trim();
    if (h1 !== 'YouTube Summarizer') throw new Error(`h1 is ${JSON.stringify(h1)}`);
  });

  if (EXPECT) {
    await step('with a key set, the LLM summarizes with no change to the form', async () => {
      await go('#/');
      // The form as it opens: wait until the service's default model is shown, change nothing.
      await page.waitForFunction(() => !document.body.innerText.includes('No AI model available'), null, { timeout: T });
      const id = await submit(VIDEO, 'video');
      log(`  job ${id}`);
      await job(id).locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: T });
      // The job ends a moment after its video (the thumbnail is fetched first).
      await page.locator(`article.job[data-job-id="${id}"]:not([data-status="running"]):not([data-status="pending"])`).waitFor({ timeout: T });
      const status = await job(id).getAttribute('data-status');
      if (status !== 'completed') throw new Error(`job ended ${status}: ${await job(id).innerText()}`);
      const text = await job(id).innerText();
      if (!text.includes(EXPECT)) throw new Error(`the summary is not the LLM's (no "${EXPECT}"): ${text.slice(0, 400)}`);
      const badge = (await job(id).locator('.badge').first().textContent())?.trim();
      log(`  the LLM's summary shows (model ${badge})`);
      if (badge === 'local') throw new Error('the job used the local model although a key is set');
      await page.screenshot({ path: join(dir, 'with-key-done.png'), fullPage: true });
    });
  }

  if (!EXPECT) {
  let playlistJob = '';
  await step('submit a playlist and reach 100 %', async () => {
    playlistJob = await submit(PLAYLIST, 'playlist');
    log(`  job ${playlistJob}`);
    await job(playlistJob).locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: T });
    // The job ends a moment after its last video (its thumbnail is fetched
    // first, politely paced like every YouTube request).
    await page.locator(`article.job[data-job-id="${playlistJob}"]:not([data-status="running"]):not([data-status="pending"])`).waitFor({ timeout: T });
    const status = await job(playlistJob).getAttribute('data-status');
    if (status !== 'completed') throw new Error(`job ended ${status}`);
    const cards = await job(playlistJob).locator('article.card:not(.card-error)').count();
    log(`  ${cards} result cards`);
    if (cards < 1) throw new Error('no summary card in the finished job');
    await page.screenshot({ path: join(dir, 'job-done.png'), fullPage: true });
  });

  await step(`search finds "${WORD}"`, async () => {
    await go('#/library');
    await page.fill('#lib-search', WORD);
    // The debounced search replaces the list: wait until every card shown has a highlighted match.
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll('.cards article.card')];
      return cards.length > 0 && cards.every((c) => c.querySelector('mark'));
    }, null, { timeout: T });
    const n = await page.locator('.cards article.card').count();
    log(`  ${n} cards, each with a highlighted match`);
    await page.screenshot({ path: join(dir, 'search.png'), fullPage: true });
  });

  await step('ask a video and the library, keyboard only; every [mm:ss] links to the video', async () => {
    const card = page.locator('.cards article.card').first();
    await card.getByRole('button', { name: 'Ask…' }).focus();
    await page.keyboard.press('Enter');
    await card.getByLabel('Question').focus();
    await page.keyboard.type(`What about the ${WORD}?`);
    await page.keyboard.press('Enter');
    const cite = card.locator('.answer a.cite').first();
    await cite.waitFor({ timeout: T });
    const href = await cite.getAttribute('href');
    if (!/^https:\/\/www\.youtube\.com\/watch\?v=[\w-]+&t=\d+s$/.test(href ?? '')) throw new Error(`video citation links to ${href}`);
    log(`  video answer: ${await card.locator('.answer a.cite').count()} citations, first ${href}`);
    const lib = page.getByRole('region', { name: 'Ask your library' });
    await lib.getByLabel('Question').focus();
    await page.keyboard.type(`Which video explains the ${WORD}?`);
    await page.keyboard.press('Enter');
    await lib.locator('.answer a.cite').first().waitFor({ timeout: T });
    const used = await lib.locator('.answer-sources li').count();
    if (used < 1) throw new Error('the library answer does not say which videos it used');
    log(`  library answer: ${await lib.locator('.answer a.cite').count()} citations from ${used} video(s)`);
    await page.screenshot({ path: join(dir, 'ask.png'), fullPage: true });
  });

  await step('play audio', async () => {
    const card = page.locator('.cards article.card').first();
    await card.getByRole('button', { name: /^Listen to/ }).click();
    const player = page.getByRole('region', { name: 'Audio player' });
    await player.waitFor();
    await page.waitForFunction(() => {
      const p = document.querySelector('.player');
      const seek = document.querySelector('.player input.seek');
      return p?.getAttribute('data-status') === 'playing' || Number(seek?.getAttribute('max') ?? 0) > 0;
    }, null, { timeout: T });
    const status = await player.getAttribute('data-status');
    const max = await player.locator('input.seek').getAttribute('max');
    log(`  player ${status}, duration ${max} s`);
    if (status === 'error') throw new Error('the player reported an error');
    await page.screenshot({ path: join(dir, 'player.png') });
    await player.getByRole('button', { name: 'Close player' }).click();
  });

  await step('delete a summary (after the undo delay)', async () => {
    await page.fill('#lib-search', '');
    const cards = page.locator('.cards article.card');
    await cards.first().waitFor();
    const title = (await cards.first().locator('.card-title').textContent())?.trim();
    const del = page.waitForResponse((r) => r.url().includes('/delete_summary') && r.request().method() === 'DELETE', { timeout: 20_000 });
    await cards.first().getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Undo' }).waitFor({ timeout: 5000 });
    const res = await del;
    if (!res.ok()) throw new Error(`DELETE answered ${res.status()}`);
    log(`  deleted “${title}”`);
    await page.waitForFunction((t) => ![...document.querySelectorAll('.cards .card-title')].some((e) => e.textContent?.trim() === t), title, { timeout: 10_000 });
  });

  await step('cancel a job', async () => {
    const id = await submit(CANCEL, 'video');
    log(`  job ${id}`);
    const btn = job(id).getByRole('button', { name: 'Cancel' });
    try {
      await btn.click({ timeout: 10_000 });
    } catch (e) {
      const st = await job(id).getAttribute('data-status');
      throw new Error(`no Cancel button (job is ${st}); E2E_CANCEL_URL must take a few seconds to summarize — ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    }
    await job(id).locator('.status', { hasText: 'cancelled' }).waitFor({ timeout: 15_000 });
    await job(id).locator('.done-msg', { hasText: /cancelled/i }).waitFor({ timeout: 5000 });
  });

  await step('settings: one section at a time, a filter over the labels', async () => {
    await go('#/settings');
    const save = page.getByRole('button', { name: 'Save settings' });
    await save.waitFor({ timeout: T });
    await page.waitForLoadState('networkidle');
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    log(`  settings page height at 1280 px: ${height} px (first section)`);
    // The whole form on one page was about 8,400 px; one section at a time stays well under half.
    if (height > 4000) throw new Error(`the settings page is ${height} px tall at 1280 px`);
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    await nav.getByRole('button', { name: 'YouTube', exact: true }).click();
    await page.getByLabel(/Transcript languages/).waitFor({ timeout: 5000 });
    if (await page.getByLabel(/Default model/).count()) throw new Error('the first section still shows beside YouTube');
    await page.getByRole('searchbox', { name: 'Filter settings' }).fill('concurrency');
    const labels = await page.locator('.settings-main .field .field-label').allTextContents();
    if (labels.length < 2 || labels.some((l) => !/concurrency/i.test(l))) throw new Error(`filter "concurrency" shows ${JSON.stringify(labels)}`);
    log(`  filter "concurrency": ${labels.length} fields`);
    await page.getByRole('searchbox', { name: 'Filter settings' }).fill('');
  });

  if (process.env.E2E_CHANNEL_URL && process.env.E2E_FAKE_CONTROL) {
    await subscriptionsScenario(process.env.E2E_CHANNEL_URL, process.env.E2E_FAKE_CONTROL);
  }

  await step('screenshots light and dark', async () => {
    const screens = [['summarize', '#/'], ['library', '#/library'], ['subscriptions', '#/subscriptions'], ['settings', '#/settings'], ['diagnostics', '#/diagnostics']];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, hash] of screens) {
        await go(hash);
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(dir, `${name}-${scheme}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 800, height: 600 });
    await go('#/');
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    if (overflow) problems.push('horizontal overflow at 800×600');
    await page.screenshot({ path: join(dir, 'summarize-800x600-dark.png') });
  });
  } // !EXPECT
} catch {
  /* recorded in problems */
} finally {
  await browser.close();
}

if (problems.length) {
  console.error(`e2e FAILED (${problems.length})\n` + problems.join('\n'));
  process.exit(1);
}
log('e2e ok');
