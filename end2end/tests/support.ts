// What several specs do the same way: sign in through the page, talk to the sync endpoint as a
// separate device, and read everything a user may see from the server.
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataDirFor, E2E_LOGIN, E2E_PASSWORD, server } from '../playwright.config';

/// Signs in through the sign-in page, starting from `path`, and waits for the first sync to end.
export async function signIn(page: Page, login = E2E_LOGIN, path = 'customers') {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(login);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', /synced|waiting/, {
    timeout: 30_000,
  });
}

export type ServerRecord = { collection: string; id: string; fields: Record<string, unknown> };
export type Account = { token: string; user: { user_id: string; unit_id: string; name: string } };

/// Signs in through the API, as another device would.
export async function apiLogin(request: APIRequestContext, login: string): Promise<Account> {
  const response = await request.post('api/v1/auth/login', { data: { login, password: E2E_PASSWORD } });
  expect(response.status()).toBe(200);
  return response.json();
}

/// Everything the account may see, as the server's sync endpoint answers a brand-new device.
export async function pullAll(request: APIRequestContext, token: string): Promise<ServerRecord[]> {
  const records: ServerRecord[] = [];
  const client_id = randomUUID();
  let cursor: string | undefined;
  for (;;) {
    const response = await request.post('api/v1/sync/pull', {
      headers: { Authorization: `Bearer ${token}` },
      data: { client_id, cursor, limit: 5000 },
    });
    expect(response.status()).toBe(200);
    const page = await response.json();
    records.push(...page.records);
    if (!page.has_more) return records;
    cursor = page.cursor;
  }
}

/// The company's org unit (the root of the tree), as the account sees it.
export async function companyUnit(request: APIRequestContext, token: string): Promise<ServerRecord> {
  const company = (await pullAll(request, token)).find((r) => r.collection === 'org_units' && r.fields.kind === 'company');
  expect(company, 'the company org unit').toBeTruthy();
  return company!;
}

/// Pushes `create` mutations as a fresh device and expects each to be applied.
export async function pushCreates(
  request: APIRequestContext,
  token: string,
  creates: { collection: string; id: string; fields: Record<string, unknown> }[],
) {
  await pushApplied(request, token, creates.map((args) => ({ name: 'create', args })));
}

/// Moves a promotion through `statuses` in order (`decide_promotion`, as the one deciding would).
export async function decidePromotion(request: APIRequestContext, token: string, id: string, statuses: string[]) {
  await pushApplied(request, token, statuses.map((status) => ({ name: 'decide_promotion', args: { id, status } })));
}

/// Pushes `intents` as one device's changes, in order, and expects the server to apply each.
export async function pushApplied(request: APIRequestContext, token: string, intents: { name: string; args: unknown }[]) {
  const clientId = randomUUID();
  const response = await request.post('api/v1/sync/push', {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      client_id: clientId,
      mutations: intents.map(({ name, args }, i) => ({
        id: i + 1,
        hlc: `${String(Date.now()).padStart(15, '0')}-${String(i).padStart(5, '0')}-${clientId}`,
        name,
        args,
      })),
    },
  });
  expect(response.status(), await response.text()).toBe(200);
  const outcomes = (await response.json()).outcomes;
  expect(
    outcomes.map((o: { outcome: string }) => o.outcome),
    JSON.stringify(outcomes),
  ).toEqual(intents.map(() => 'applied'));
}

/// A new record id in the form the app makes (UUID version 7).
export function newId(): string {
  const hex = Date.now().toString(16).padStart(12, '0');
  const random = randomUUID().replace(/-/g, '');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${random.slice(13, 16)}-${random.slice(16, 20)}-${random.slice(20, 32)}`;
}

/// Follows a link of the navigation by its name; on a narrow screen, where only the main links are
/// in the bottom bar, through 更多 / More when the link is in the sheet.
export async function navigateTo(page: Page, name: string) {
  const link = page.getByRole('navigation').getByRole('link', { name, exact: true });
  if (!(await link.isVisible())) {
    await page.getByRole('navigation').getByRole('button', { name: /^(更多|More)$/ }).click();
  }
  await link.click();
}

export type Point = { x: number; y: number };

/// A finger on the screen: touch pointer events sent to `target` (for moves and the lift, the element
/// that holds the pointer capture). Playwright's touchscreen only taps, so drags are sent this way.
export function finger(target: Locator, pointerId: number) {
  const base = { pointerId, pointerType: 'touch', isPrimary: true, button: 0, bubbles: true };
  const send = (type: string, at: Point, buttons: number) =>
    target.dispatchEvent(type, { ...base, clientX: at.x, clientY: at.y, buttons });
  return {
    down: (at: Point) => send('pointerdown', at, 1),
    move: (at: Point) => send('pointermove', at, 1),
    up: (at: Point) => send('pointerup', at, 0),
    /// Moves from `from` to `to` in eight steps, as a finger slides.
    async slide(from: Point, to: Point) {
      for (let step = 1; step <= 8; step++) {
        await send('pointermove', { x: from.x + ((to.x - from.x) * step) / 8, y: from.y + ((to.y - from.y) * step) / 8 }, 1);
      }
    },
  };
}

/// The middle of an element on the screen.
export async function middleOf(element: Locator): Promise<Point> {
  const box = (await element.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/// A CRC-32 as PNG chunks carry it.
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/// A real RGB PNG of `width` × `height`, each byte of a row (x counts R, G, B of each pixel in turn)
/// given by `sample(x, y)`, as a camera would hand the page a file.
export function png(width: number, height: number, sample: (x: number, y: number) => number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width * 3; x++) raw[row + 1 + x] = sample(x, y) & 0xff;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/// Imports people from an HR export's `lines` (header first) into the server on `port` with
/// `import-org --accounts`; returns each new login's one-time password.
export function importPeople(port: number, lines: string[]): Map<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'people-'));
  const file = path.join(dir, 'people.csv');
  const list = path.join(dir, 'passwords.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  execFileSync(server, ['import-org', file, '--accounts', list, '--data-dir', dataDirFor(port)], {
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const passwords = new Map(
    readFileSync(list, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','))
      .map((f) => [f[0], f[2]] as [string, string]),
  );
  rmSync(dir, { recursive: true });
  return passwords;
}

/// A loopback port nobody listens on, for a server of a test's own.
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
