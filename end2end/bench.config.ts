// Benchmarks of the web app's pages (figures, not tests): run by `scripts/bench-pages.sh` against a
// server it starts with the demo company at a large scale; prints what it measured beside the goals.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  workers: 1,
  timeout: 30 * 60_000,
  reporter: 'list',
  use: {
    baseURL: process.env.BENCH_URL ?? 'http://127.0.0.1:18480/',
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--enable-precise-memory-info', '--js-flags=--expose-gc'],
    },
  },
});
