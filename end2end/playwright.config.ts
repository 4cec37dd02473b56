// Playwright against the real server (debug build is fine: the web app is the release build) and
// Debian's Chromium. Two servers: one at `/`, one under the sub-path an intranet portal would use.
import { defineConfig, devices } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
export const server = process.env.YINGXIAO_SERVER_BIN ?? path.join(root, 'target/debug/yingxiao-server');
export const dist = process.env.YINGXIAO_DIST ?? path.join(root, 'dist');
const rootPort = Number(process.env.E2E_PORT ?? 18080);
const subPort = rootPort + 1;
/** A stand-in intranet portal on an origin of its own, allowed to frame the sub-path server only. */
export const portalPort = rootPort + 2;
export const PORTAL_ORIGIN = `http://127.0.0.1:${portalPort}`;
/** A page of another site, listed nowhere (served by the same stand-in). */
export const OTHER_ORIGIN = `http://127.0.0.1:${rootPort + 3}`;
/** The company's identity provider (a real OpenID provider, npm's oidc-provider) for the portal deployment. */
export const OIDC_ISSUER = `http://127.0.0.1:${rootPort + 4}`;
export const SUB_PATH = '/yingxiao';
/** The account every end-to-end test signs in with (created before each server starts). */
export const E2E_LOGIN = 'e2e_rep';
export const E2E_PASSWORD = 'e2e-password-1';
export const E2E_NAME = '测试业务员';
/** An administrator with the same password, for tests that act as the office meanwhile. */
export const E2E_ADMIN_LOGIN = 'e2e_admin';
/** A regional manager over the whole (one-unit) company, to see what the rep's team did. */
export const E2E_MANAGER_LOGIN = 'e2e_manager';
/** A promoter (促销员) at the company unit: sees its customers and may change none of them. */
export const E2E_PROMOTER_LOGIN = 'e2e_promoter';
/** A second sales rep: sees only their own records, so none of another rep's. */
export const E2E_OTHER_REP_LOGIN = 'e2e_rep2';

/**
 * The data directory of the server on `port`. Known from the port (not made random) because the
 * config is loaded again in every worker, and a test that runs the admin CLI (an import) must reach
 * the same database as the server it talks to. The command empties it before each run.
 */
export function dataDirFor(port: number): string {
  return path.join(os.tmpdir(), `yingxiao-e2e-${port}`);
}

function serve(port: number, basePath: string, extra = '') {
  const dataDir = dataDirFor(port);
  const base = basePath === '/' ? '' : basePath;
  return {
    command:
      `rm -rf "${dataDir}" && mkdir -p "${dataDir}" && ` +
      `printf '%s\\n' '${E2E_PASSWORD}' | "${server}" user add --login ${E2E_LOGIN} --name ${E2E_NAME} ` +
      `--role sales_rep --password-stdin --data-dir "${dataDir}" >/dev/null && ` +
      `printf '%s\\n' '${E2E_PASSWORD}' | "${server}" user add --login ${E2E_ADMIN_LOGIN} --name 测试管理员 ` +
      `--role admin --password-stdin --data-dir "${dataDir}" >/dev/null && ` +
      `printf '%s\\n' '${E2E_PASSWORD}' | "${server}" user add --login ${E2E_MANAGER_LOGIN} --name 测试经理 ` +
      `--role regional_manager --password-stdin --data-dir "${dataDir}" >/dev/null && ` +
      `printf '%s\\n' '${E2E_PASSWORD}' | "${server}" user add --login ${E2E_PROMOTER_LOGIN} --name 测试促销员 ` +
      `--role promoter --password-stdin --data-dir "${dataDir}" >/dev/null && ` +
      `printf '%s\\n' '${E2E_PASSWORD}' | "${server}" user add --login ${E2E_OTHER_REP_LOGIN} --name 测试业务员二 ` +
      `--role sales_rep --password-stdin --data-dir "${dataDir}" >/dev/null && ` +
      `exec "${server}" serve --addr 127.0.0.1:${port} --data-dir "${dataDir}" --dist "${dist}" --base-path ${basePath}` +
      extra,
    url: `http://127.0.0.1:${port}${base}/api/v1/health`,
    reuseExistingServer: false,
    env: { RUST_LOG: 'warn' },
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  };
}

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};
export const rootURL = `http://127.0.0.1:${rootPort}/`;
export const subURL = `http://127.0.0.1:${subPort}${SUB_PATH}/`;
const OIDC_CALLBACK = `${subURL}api/v1/auth/oidc/callback`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: { trace: 'retain-on-failure', locale: 'zh-CN' },
  // The portal deployment (under the sub-path) lets the portal frame it and signs in with the
  // company's identity provider too; the root one does neither.
  webServer: [
    serve(rootPort, '/'),
    serve(
      subPort,
      SUB_PATH,
      ` --frame-ancestors ${PORTAL_ORIGIN} --oidc-issuer ${OIDC_ISSUER} --oidc-client-id yingxiao` +
        ` --oidc-client-secret yingxiao-test-secret --oidc-redirect-uri ${OIDC_CALLBACK}`,
    ),
    {
      command: `node oidc/provider.mjs ${rootPort + 4} ${OIDC_CALLBACK}`,
      url: `${OIDC_ISSUER}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore' as const,
      // Its development-mode warnings would be printed on every run.
      stderr: 'ignore' as const,
    },
    {
      command: `node portal/serve.mjs ${portalPort} ${rootPort + 3}`,
      url: `${PORTAL_ORIGIN}/health`,
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
    },
  ],
  projects: [
    { name: 'desktop', use: { ...chromium, baseURL: rootURL, viewport: { width: 1280, height: 800 } } },
    {
      name: 'tablet-landscape',
      use: { ...chromium, baseURL: rootURL, viewport: { width: 1024, height: 768 }, hasTouch: true },
    },
    {
      name: 'tablet-portrait',
      use: { ...chromium, baseURL: rootURL, viewport: { width: 768, height: 1024 }, hasTouch: true },
    },
    {
      name: 'phone',
      use: { ...chromium, baseURL: rootURL, viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true },
    },
    {
      name: 'sub-path-tablet',
      use: { ...chromium, baseURL: subURL, viewport: { width: 768, height: 1024 }, hasTouch: true },
    },
  ],
});
