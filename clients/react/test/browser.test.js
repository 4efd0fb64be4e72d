// The example app (example/, built here with Vite) in real Chromium, two users in two browser
// contexts, against a real Herald on another origin: badge, filtered toast, chat.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { HeraldNode, skipWithoutJar } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'example');
const required = process.env.HERALD_REQUIRE_SERVICES === '1';
const skip = skipWithoutJar || (!existsSync(CHROMIUM) && !required ? `${CHROMIUM} is missing` : false);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves `dir` on 127.0.0.1 (a random port): the app's own origin, unlike Herald's. */
async function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url, 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('the example app in Chromium', { skip }, () => {
  let out, server, node, browser;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'herald-react-example-'));
    await build({ root: EXAMPLE, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    server = await serve(out);
    const origin = `http://127.0.0.1:${server.address().port}`;
    node = await HeraldNode.start(['--cors-origins', origin]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
  });
  after(async () => {
    await browser?.close();
    await node?.close();
    server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('the badge counts, only an order toasts, and a chat message crosses between two users', async () => {
    const suffix = process.pid;
    const ann = `ann${suffix}`, ben = `ben${suffix}`;
    const open = async (me, peer) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(`http://127.0.0.1:${server.address().port}/?herald=${encodeURIComponent(node.url)}&user=${me}&peer=${peer}`);
      await page.locator('[data-testid=live][data-status=connected]').waitFor();
      await page.locator('[data-testid=chat][data-ready=true]').waitFor();
      return { page, errors };
    };
    const a = await open(ann, ben);
    const b = await open(ben, ann);

    // The badge and the toast: an order type toasts, an announcement only counts.
    assert.equal(await a.page.locator('[data-testid=badge]').count(), 0, 'no badge at zero');
    await node.publish({ user: ann }, { type: 'order_created', message: 'Order #1001 received' });
    await a.page.locator('[data-testid=toast]', { hasText: 'Order #1001 received' }).waitFor();
    await node.publish({ user: ann }, { type: 'general_announcement', message: 'We are open on Sunday' });
    await a.page.locator('[data-testid=badge]', { hasText: /^2$/ }).waitFor();
    await a.page.waitForTimeout(300);
    assert.deepEqual(await a.page.locator('[data-testid=toast]').allTextContents(), ['Order #1001 received'], 'no toast for the announcement');
    assert.equal(await b.page.locator('[data-testid=badge]').count(), 0, "ben's badge is his own");

    // Presence: Ann saw Ben come online live; Ben loaded Ann's (loadPresence).
    await a.page.locator('[data-testid=presence]', { hasText: /^online$/ }).waitFor();
    await b.page.locator('[data-testid=presence]', { hasText: /^online$/ }).waitFor();

    // Chat: Ann types (Ben sees it), sends; Ben answers.
    await a.page.locator('[data-testid=composer]').pressSequentially('Hello Ben');
    await b.page.locator('[data-testid=typing]', { hasText: `${ann} is typing` }).waitFor();
    await a.page.locator('[data-testid=composer]').press('Enter');
    await b.page.locator('[data-testid=messages] li', { hasText: 'Hello Ben' }).waitFor();
    await b.page.locator('[data-testid=typing]', { hasText: /^$/ }).waitFor();
    await b.page.locator('[data-testid=composer]').fill('Hi Ann');
    await b.page.locator('[data-testid=composer]').press('Enter');
    await a.page.locator('[data-testid=messages] li', { hasText: 'Hi Ann' }).waitFor();
    await a.page.waitForTimeout(200);
    assert.deepEqual(await a.page.locator('[data-testid=messages] li').allTextContents(), ['Hello Ben', 'Hi Ann'], 'each message once, in order');
    assert.deepEqual(a.errors.concat(b.errors), [], 'no page errors');
  });
});
