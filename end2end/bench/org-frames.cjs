// Pans and zooms the org chart continuously (one wheel or pointer step per animation frame) in the
// peers' browser setup and prints the frame intervals. At 60 Hz they are 16.7 ms (vsync jitter makes
// some 16.8); a frame whose work overran its slot shows as an interval of about 33 ms, so one over
// 25 ms counts as missed. Zoomed out (every card painted on the canvas) and zoomed in (readable cards
// as elements).
// Usage: node org-frames.cjs HARNESS URL
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
      const v = document.querySelector('.org-viewport');
      return v && +v.dataset.laidOut > 0;
    }, null, { timeout: 120000 });
    const result = await page.evaluate(async () => {
      const v = document.querySelector('.org-viewport');
      const box = v.getBoundingClientRect();
      const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
      const frame = (act) => new Promise((done) => requestAnimationFrame((at) => { act(); done(at); }));
      const wheel = (dy) => v.dispatchEvent(new WheelEvent('wheel', { deltaY: dy, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
      let px = cx;
      const pointer = (type, x) => v.dispatchEvent(new PointerEvent(type, { pointerId: 7, clientX: x, clientY: cy, button: 0, isPrimary: true, bubbles: true }));
      const measure = async (steps, act) => {
        const frames = [];
        let last = await frame(() => {});
        for (let i = 0; i < steps; i++) { const at = await frame(() => act(i)); frames.push(at - last); last = at; }
        return frames;
      };
      const summary = (frames) => {
        const s = [...frames].sort((a, b) => a - b);
        const pick = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
        return { n: s.length, median: pick(0.5), p95: pick(0.95), max: s[s.length - 1], missed: s.filter((f) => f > 25).length };
      };
      const out = {};
      out.zoomOut = summary(await measure(60, () => wheel(40)));
      pointer('pointerdown', px);
      out.panFar = summary(await measure(90, () => { px += 12; pointer('pointermove', px); }));
      pointer('pointerup', px);
      out.zoomIn = summary(await measure(90, () => wheel(-40)));
      pointer('pointerdown', px);
      out.panNear = summary(await measure(90, () => { px -= 12; pointer('pointermove', px); }));
      pointer('pointerup', px);
      out.elements = document.querySelectorAll('*').length;
      out.cards = document.querySelectorAll('.org-card').length;
      return out;
    });
    const line = (what, r) => console.log(`${what}: ${r.n} frames, median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ${r.missed} missed (an interval over 25 ms: the frame took longer than one 60 Hz slot)`);
    line('org chart zoom out (wheel, every card open)', result.zoomOut);
    line('org chart pan, zoomed out (cards painted)', result.panFar);
    line('org chart zoom in (wheel)', result.zoomIn);
    line('org chart pan, zoomed in (cards as elements)', result.panNear);
    console.log(`document elements at the end: ${result.elements}, card elements: ${result.cards}`);
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
