// Drives Debian's Chromium through playwright-core against a running `jupyter notebook`, as a person
// would: opens the quickstart, Run All, watches the live progress line, then interrupts a long training
// cell from the toolbar and restarts the kernel from the menu. It reports what the page showed as one
// JSON line ("REPORT {...}") for BrowserIT to judge, and leaves screenshots in SCREENSHOTS.
//
// Environment: PLAYWRIGHT_CORE (the package folder), CHROMIUM (the browser binary), NOTEBOOK_URL (the
// notebook's page, token included), SCREENSHOTS (a folder).
import { createRequire } from 'module';
import path from 'path';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const shots = process.env.SCREENSHOTS;
const report = { steps: [], progress: {}, stageLines: [], screenshots: [] };
const log = (m) => console.log(`[browser ${new Date().toISOString().substring(11, 19)}] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const since = (t0) => Math.round((Date.now() - t0) / 100) / 10;

/** Every code cell as the page shows it: prompt, source, outputs, the live progress area. */
const cells = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('#notebook-container .cell.code_cell')].map((c) => ({
      prompt: c.querySelector('.input_prompt')?.innerText.trim() ?? '',
      source: c.querySelector('.CodeMirror')?.CodeMirror?.getValue() ?? '',
      outputAreas: c.querySelectorAll('.output_area').length,
      progressAreas: c.querySelectorAll('.distillery-progress').length,
      progress: c.querySelector('.distillery-progress')?.innerText ?? null,
      stage: c.querySelector('.distillery-stage') === null
        ? null
        : c.querySelector('.distillery-stage').innerText + ' | ' + (c.querySelector('.distillery-eta')?.innerText ?? ''),
      text: c.querySelector('.output')?.innerText ?? '',
      errors: c.querySelectorAll('.output_error').length,
      stderr: c.querySelectorAll('.output_stderr').length,
      images: [...c.querySelectorAll('.output_area img')].map((i) => ({
        natural: [i.naturalWidth, i.naturalHeight],
        shown: [i.clientWidth, i.clientHeight],
      })),
      headers: [...c.querySelectorAll('table.distillery-table th')].map((th) => th.innerText.trim()),
    })));

const idle = (page) => page.evaluate(() => document.querySelector('#kernel_indicator_icon')?.className === 'kernel_idle_icon');
const ran = (cell) => /^In\s\[\d+\]:$/.test(cell.prompt);

async function shot(locator, name, what) {
  const file = path.join(shots, name);
  await locator.screenshot({ path: file });
  report.screenshots.push({ file, what });
  log(`screenshot ${name}: ${what}`);
}

/** Waits (polling every 300 ms) until `done(cells)` holds, calling `watch(cells)` on each poll. */
async function until(page, what, timeoutS, done, watch = () => {}) {
  const t0 = Date.now();
  for (;;) {
    const cs = await cells(page);
    await watch(cs);
    if (await done(cs)) {
      return cs;
    }
    if (Date.now() - t0 > timeoutS * 1000) {
      throw new Error(`timed out after ${timeoutS} s waiting for ${what}`);
    }
    await sleep(300);
  }
}

/** Adds a code cell at the bottom with `source`, runs it from the toolbar, and returns its index among code cells. */
async function runNewCell(page, source) {
  const at = await page.evaluate((src) => {
    const nb = window.Jupyter.notebook;
    const cell = nb.insert_cell_at_bottom('code');
    cell.set_text(src);
    nb.select(nb.ncells() - 1);
    return nb.get_cells().filter((c) => c.cell_type === 'code').length - 1;
  }, source);
  await page.click('button[data-jupyter-action="jupyter-notebook:run-cell-and-select-next"]');
  return at;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
let page;
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  let t0 = Date.now();
  await page.goto(process.env.NOTEBOOK_URL);
  await page.waitForFunction(() => window.Jupyter?.notebook?.kernel?.is_connected(), null, { timeout: 120_000 });
  await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 120_000 });
  report.kernelReadySeconds = since(t0);
  log(`kernel ready after ${report.kernelReadySeconds} s`);

  // Run All from the Cell menu
  t0 = Date.now();
  await page.click('#celllink');
  await page.click('#run_all_cells');
  let progressShot = false;
  const all = await until(
    page,
    'every cell of the quickstart to run',
    900,
    async (cs) => cs.every(ran) && (await idle(page)),
    async (cs) => {
      for (const [i, c] of cs.entries()) {
        if (c.progress === null) continue;
        const p = (report.progress[i] ??= { source: c.source, texts: [], maxProgressAreas: 0, maxOutputAreas: 0 });
        if (!p.texts.includes(c.progress)) p.texts.push(c.progress);
        p.maxProgressAreas = Math.max(p.maxProgressAreas, c.progressAreas);
        p.maxOutputAreas = Math.max(p.maxOutputAreas, c.outputAreas);
        if (c.stage && !report.stageLines.includes(c.stage.trim())) report.stageLines.push(c.stage.trim());
        if (!progressShot && c.source.includes('--from cnn') && /run 2 of 3 /.test(c.stage ?? '')) {
          progressShot = true;
          await shot(page.locator('#notebook-container .cell.code_cell').nth(i), 'progress.png',
            'the distillation cell while seed 2 of 3 trains: one bar over all runs and the job ETA');
        }
      }
    });
  report.runAllSeconds = since(t0);
  log(`Run All finished in ${report.runAllSeconds} s`);
  report.cells = all.map(({ source, text, errors, stderr, images, headers }) => ({ source, text, errors, stderr, images, headers }));
  const codeCells = page.locator('#notebook-container .cell.code_cell');
  const summaryAt = all.findIndex((c) => c.source.startsWith('%runs --session --summary'));
  const curvesAt = all.findIndex((c) => c.source.startsWith('%plot curves'));
  if (summaryAt >= 0) {
    await shot(codeCells.nth(summaryAt), 'summary.png', 'the %runs --session --summary table');
  }
  if (curvesAt >= 0) {
    await shot(codeCells.nth(curvesAt), 'curves.png', 'validation curves coloured by recipe');
  }

  // a long training cell, interrupted from the toolbar
  let at = await runNewCell(page, '%distill tiny --loss scratch --epochs 5000 --data {data} --name long');
  let last = await until(page, 'the long training to show its progress', 300,
    (cs) => /epoch \d+\/5000/.test(cs[at].stage ?? ''));
  report.interruptedAtStage = last[at].stage.trim();
  t0 = Date.now();
  await page.click('button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]');
  last = await until(page, 'the interrupted cell to finish', 120,
    async (cs) => ran(cs[at]) && (await idle(page)));
  report.interruptSeconds = since(t0);
  report.interrupted = { text: last[at].text, errors: last[at].errors };
  log(`interrupted after ${report.interruptSeconds} s`);
  await shot(codeCells.nth(at), 'interrupted.png', 'the training cell after the toolbar interrupt');
  at = await runNewCell(page, '"still here: " + (6 * 7)');
  last = await until(page, 'the cell after the interrupt to answer', 120,
    async (cs) => ran(cs[at]) && (await idle(page)));
  report.afterInterrupt = last[at].text;

  // restart from the Kernel menu, confirm, then one cell
  t0 = Date.now();
  await page.click('#kernellink');
  await page.click('#restart_kernel');
  await page.locator('.modal-dialog button.btn-danger', { hasText: 'Restart' }).click();
  await sleep(500);
  at = await runNewCell(page, '"after restart: " + (6 * 7)');
  last = await until(page, 'a cell after the restart to answer', 180,
    async (cs) => ran(cs[at]) && (await idle(page)));
  report.restartSeconds = since(t0);
  report.afterRestart = last[at].text;
  log(`restarted and answered after ${report.restartSeconds} s`);
  await shot(codeCells.nth(at), 'restarted.png', 'the first cell after the restart');
  report.steps.push('done');
} catch (e) {
  report.failure = String(e.stack ?? e);
  log(`failed: ${e.message}`);
  if (page) {
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => {});
    report.screenshots.push({ file: path.join(shots, 'failure.png'), what: 'the page when the test failed' });
  }
} finally {
  await browser.close();
  console.log('REPORT ' + JSON.stringify(report));
}
