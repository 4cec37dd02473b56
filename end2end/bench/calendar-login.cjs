// measure-url.js --setup: signs in through the app's page and waits for the first sync to end, so
// each measured load opens a device that already holds the promotions (as a user's would).
module.exports = async (context, origin) => {
  const page = await context.newPage();
  await page.goto(`${origin}/login`);
  await page.locator('input[name=username]').fill(process.env.BENCH_LOGIN);
  await page.locator('input[name=password]').fill(process.env.BENCH_PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.waitForSelector('.topbar .sync-indicator[data-state=synced]', { timeout: 120_000 });
  await page.close();
};
