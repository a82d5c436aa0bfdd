import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (the `chromium` package): the browser tests never download one. */
export const chromiumPath = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go: git-ignored, kept by CI as artifacts. */
export const artifactsDir = join(process.cwd(), 'test-results', 'web-ui');

/** One headless Chromium for the test file, closed after it. */
export function useBrowser() {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(chromiumPath))
      throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (or set BATON_CHROMIUM)`);
    await mkdir(artifactsDir, { recursive: true });
    // The sandbox needs user namespaces, which a root CI container does not give.
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async page(): Promise<Page> {
      if (!browser) throw new Error('the browser did not start');
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      return context.newPage();
    },
    async screenshot(page: Page, name: string): Promise<void> {
      await page.screenshot({ path: join(artifactsDir, `${name}.png`) });
    },
  };
}
