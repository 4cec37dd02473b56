// Scrolls the calendar's year timeline continuously (one step per animation frame, down through the
// stores and then along the year) in the peers' browser setup, and prints the frame intervals: a
// frame over 16.7 ms is one the display would miss. Usage: node timeline-frames.cjs HARNESS URL
const H = require(process.argv[2]);
const login = require('./calendar-login.cjs');

(async () => {
  const url = process.argv[3];
  const browser = await H.launch();
  try {
    const ctx = await browser.newContext({ viewport: H.VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
    await login(ctx, new URL(url).origin);
    const page = await ctx.newPage();
    await page.goto(url);
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid=timeline]');
      return t && t.dataset.measured === 'true' && +t.dataset.bars > 0;
    }, null, { timeout: 120000 });
    const result = await page.evaluate(async () => {
      const t = document.querySelector('[data-testid=timeline]');
      const frames = [];
      const step = (dy, dx) => new Promise((done) => requestAnimationFrame((at) => { t.scrollTop += dy; t.scrollLeft += dx; done(at); }));
      let last = await step(0, 0);
      for (let i = 0; i < 120; i++) { const at = await step(40, 0); frames.push(at - last); last = at; }
      for (let i = 0; i < 120; i++) { const at = await step(0, 60); frames.push(at - last); last = at; }
      frames.sort((a, b) => a - b);
      const pick = (q) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
      return { n: frames.length, median: pick(0.5), p95: pick(0.95), max: frames[frames.length - 1], over16: frames.filter((f) => f > 16.7).length };
    });
    console.log(`timeline scroll, ${result.n} frames (40 px down, then 60 px along, per frame): median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms, ${result.over16} over 16.7 ms`);
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
