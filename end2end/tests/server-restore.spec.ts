// A server restored from last night's backup, end to end: a sales rep's tablet has one change the
// server confirmed after the backup and one made offline. The server is stopped, its database put
// back from the backup (the `backup` command's copy) and started again. Back online, the tablet
// finds out by itself, sends both again, downloads its data anew and says so in one line; the
// server then has every change. A server of the test's own, at this project's base path.
import { test, expect, type Page } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { E2E_LOGIN, E2E_NAME, E2E_PASSWORD, dist, server } from '../playwright.config';
import { freePort, navigateTo } from './support';

const quiet = { ...process.env, RUST_LOG: 'warn' };

/// One server process over a data directory of the test's own; it can be stopped and started again
/// on the same port, as an operator restoring a backup does.
class Server {
  private child: ChildProcess | null = null;
  readonly dataDir: string;

  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly basePath: string,
  ) {
    this.dataDir = path.join(dir, 'data');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.basePath}/`;
  }

  static async create(basePath: string): Promise<Server> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yingxiao-restore-'));
    const made = new Server(dir, await freePort(), basePath);
    execFileSync(
      server,
      ['user', 'add', '--login', E2E_LOGIN, '--name', E2E_NAME, '--role', 'sales_rep', '--password-stdin'].concat(
        ['--data-dir', made.dataDir],
      ),
      { input: `${E2E_PASSWORD}\n`, env: quiet, stdio: ['pipe', 'ignore', 'inherit'] },
    );
    await made.start();
    return made;
  }

  async start() {
    const args = ['serve', '--addr', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir];
    args.push('--dist', dist, '--base-path', this.basePath || '/');
    this.child = spawn(server, args, { stdio: 'ignore', env: quiet });
    const health = () => fetch(`${this.url}api/v1/health`).then((r) => r.status, () => 0);
    await expect.poll(health, { timeout: 30_000 }).toBe(200);
  }

  async stop() {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /// A copy of the database as it is now, while the server runs.
  backUp(): string {
    const file = path.join(this.dir, `backup-${randomUUID()}.sqlite3`);
    execFileSync(server, ['backup', '--to', file, '--data-dir', this.dataDir], { env: quiet, stdio: 'ignore' });
    return file;
  }

  /// Stops the server, puts the backup in place of its database, and starts it again.
  async restore(backup: string) {
    await this.stop();
    const database = path.join(this.dataDir, 'yingxiao.sqlite3');
    for (const suffix of ['-wal', '-shm']) fs.rmSync(database + suffix, { force: true });
    fs.copyFileSync(backup, database);
    await this.start();
  }

  async remove() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/// The top bar's sync state.
function syncState(page: Page) {
  return page.locator('.topbar .sync-indicator');
}

/// Creates a customer through the form, from the customer list.
async function createCustomer(page: Page, name: string) {
  await navigateTo(page, '客户');
  await page.getByTestId('list-new').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建客户');
  await page.getByLabel(/^客户名称\*?$/).fill(name);
  await page.getByLabel(/^客户类型\*?$/).selectOption({ label: '经销商' });
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page.getByTestId('record-title')).toHaveText(name);
}

/// The customers' names the server holds, as a new device of the rep would receive them.
async function namesOnServer(url: string): Promise<string[]> {
  const login = await fetch(`${url}api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: E2E_LOGIN, password: E2E_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const { token } = await login.json();
  const pulled = await fetch(`${url}api/v1/sync/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ client_id: randomUUID(), limit: 5000 }),
  });
  const page = await pulled.json();
  expect(page.has_more).toBe(false);
  return page.records
    .filter((r: { collection: string }) => r.collection === 'customers')
    .map((r: { fields: { name: string } }) => r.fields.name)
    .sort();
}

test('a tablet sends again what a server restored from a backup lost, and says so', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(120_000);
  const basePath = new URL(baseURL!).pathname.replace(/\/$/, '');
  const restoreServer = await Server.create(basePath);
  try {
    await page.goto(`${restoreServer.url}customers`);
    await page.locator('input[name=username]').fill(E2E_LOGIN);
    await page.locator('input[name=password]').fill(E2E_PASSWORD);
    await page.locator('button[type=submit]').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户');
    await expect(syncState(page)).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });

    await createCustomer(page, '备份前的客户');
    await expect(syncState(page)).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
    const backup = restoreServer.backUp();

    // Confirmed by the server after the backup: the restore will lose it.
    await createCustomer(page, '备份后已同步的客户');
    await expect(syncState(page)).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
    expect(await namesOnServer(restoreServer.url)).toEqual(['备份前的客户', '备份后已同步的客户'].sort());

    // Made offline: waits on the tablet.
    await context.setOffline(true);
    await createCustomer(page, '离线新建的客户');
    await expect(syncState(page)).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });

    await restoreServer.restore(backup);
    expect(await namesOnServer(restoreServer.url)).toEqual(['备份前的客户']);

    await context.setOffline(false);
    const notice = page.getByTestId('server-restored');
    await expect(notice).toBeVisible({ timeout: 30_000 });
    await expect(notice).toContainText('服务器已恢复到较早的备份');
    await expect(notice).toContainText('服务器丢失的 1 项已同步更改和 1 项尚未发送的更改重新发给服务器');
    await expect(syncState(page)).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
    expect(await namesOnServer(restoreServer.url)).toEqual(
      ['备份前的客户', '备份后已同步的客户', '离线新建的客户'].sort(),
    );
    // The tablet shows the server's customers, downloaded again.
    await navigateTo(page, '客户');
    for (const name of ['备份前的客户', '备份后已同步的客户', '离线新建的客户']) {
      await expect(page.getByTestId('customers-list').getByText(name)).toBeVisible();
    }

    await page.screenshot({ path: testInfo.outputPath('restored.png') });
    // Read once, gone, and still gone after a reload.
    const ok = notice.getByRole('button', { name: '知道了' });
    expect((await ok.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await ok.click();
    await expect(notice).toHaveCount(0);
    await page.reload();
    await expect(syncState(page)).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
    await expect(page.getByTestId('server-restored')).toHaveCount(0);
  } finally {
    await restoreServer.remove();
  }
});
