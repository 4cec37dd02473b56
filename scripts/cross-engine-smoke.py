#!/usr/bin/env python3
"""The web app in Firefox and WebKit, as it runs in Chromium: a smoke test through W3C WebDriver.

Store iPads run WebKit (Safari's engine) and some offices Firefox; the Playwright tests drive Chromium
only. This drives Debian's firefox-esr (through geckodriver) and WebKitGTK's MiniBrowser (through
WebKitWebDriver, under a virtual X display) against the real server and the release build, and checks
in each engine what must never break there:

- a first visit downloads the wasm once (no unused preload fetched beside it, the service worker's copy
  comes from the browser's cache), counted in the server's own request log;
- sign-in, the first sync into IndexedDB and the customer list;
- a customer created in the generated form is stored on the device and reaches the server;
- after a reload the app starts again from what the browser kept and still shows it, and the page
  before, kept frozen in the back/forward cache (WebKit), lets go of the database and loads anew.

Usage: cross-engine-smoke.py SERVER_BIN DIST [ENGINE...]   (engines: firefox webkit; default both)
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

# A sales rep of the demo company, with the demo's password.
LOGIN = "sh_rep"
PASSWORD = "yingxiao-demo"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, timeout=60.0, interval=0.25):
    """Polls `check` until it returns something truthy; fails with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except WebDriverError as error:
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" ({last_error})" if last_error else ""))


def http_json(method, url, body=None, headers=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return json.loads(text) if text else None


class WebDriverError(Exception):
    pass


ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Session:
    """One browser session over the W3C WebDriver protocol (nothing but HTTP and JSON)."""

    def __init__(self, driver_url, capabilities):
        self.driver = driver_url
        reply = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}}, timeout=120)
        self.id = reply["sessionId"]
        self.capabilities = reply["capabilities"]

    def _call(self, method, path, body=None, timeout=60):
        data = json.dumps({} if body is None and method == "POST" else body).encode() if method == "POST" else None
        request = urllib.request.Request(self.driver + path, data=data, method=method)
        request.add_header("Content-Type", "application/json; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            try:
                value = json.loads(detail)["value"]
                detail = f"{value.get('error')}: {value.get('message')}"
            except (ValueError, KeyError, TypeError, AttributeError):
                pass
            raise WebDriverError(f"{method} {path}: {detail}") from None

    def call(self, method, path, body=None, timeout=60):
        return self._call(method, f"/session/{self.id}{path}", body, timeout)

    def go(self, url):
        self.call("POST", "/url", {"url": url}, timeout=120)

    def url(self):
        return self.call("GET", "/url")

    def script(self, source, *args):
        return self.call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def element(self, css):
        return self.call("POST", "/element", {"using": "css selector", "value": css})

    def type(self, element, text):
        self.call("POST", f"/element/{element[ELEMENT]}/value", {"text": text})

    def click(self, element):
        self.call("POST", f"/element/{element[ELEMENT]}/click")

    def screenshot(self, path):
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.call("GET", "/screenshot")))

    def close(self):
        try:
            self._call("DELETE", f"/session/{self.id}", timeout=30)
        except (WebDriverError, OSError):
            pass


# A field of the generated form by its label, as a user finds it (the label's `*` marks it required).
FIELD_BY_LABEL = """
const wanted = arguments[0];
const label = [...document.querySelectorAll('label')].find((l) => l.textContent.replace('*', '').trim() === wanted);
return label ? label.control : null;
"""

BUTTON_BY_TEXT = """
return [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === arguments[0]) ?? null;
"""

OPTION_BY_TEXT = """
const select = arguments[0];
return [...select.options].find((o) => o.textContent.trim() === arguments[1]) ?? null;
"""


# What IndexedDB answers in the page when a test gives up: does the user's database open, and does a
# read of it finish (a read that waits says another connection holds a write open).
PROBE_DATABASE = """
const done = arguments[0];
const seen = [];
setTimeout(() => done(seen.concat('timed out').join('; ')), 5000);
indexedDB.databases().then((list) => {
  seen.push('databases: ' + list.map((d) => d.name + '@' + d.version).join(', '));
  const name = list.map((d) => d.name).find((n) => n.startsWith('yingxiao.'));
  if (!name) return done(seen.join('; '));
  const open = indexedDB.open(name);
  open.onblocked = () => seen.push('open blocked');
  open.onerror = () => done(seen.concat('open failed: ' + open.error).join('; '));
  open.onsuccess = () => {
    seen.push('opened at ' + open.result.version);
    const tx = open.result.transaction(['meta', 'pending'], 'readonly');
    const read = tx.objectStore('pending').count();
    read.onsuccess = () => done(seen.concat('read: ' + read.result + ' pending').join('; '));
    read.onerror = () => done(seen.concat('read failed: ' + read.error).join('; '));
  };
}, (error) => done('databases() failed: ' + error));
"""


class Server:
    """The real server (the debug build is fine: the web app is the release build) on the demo company."""

    def __init__(self, binary, dist, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        data = os.path.join(workdir, "data")
        os.makedirs(data)
        subprocess.run(
            [binary, "seed", "--demo", "--data-dir", data], check=True, stdout=subprocess.DEVNULL
        )
        self.log_path = os.path.join(workdir, "server.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "--log-format", "json", "serve", "--addr", f"127.0.0.1:{self.port}", "--data-dir", data,
             "--dist", dist],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_until("the server's health check", self._healthy, timeout=30)

    def _healthy(self):
        try:
            return http_json("GET", self.base + "api/v1/health", timeout=2)["status"] == "ok"
        except OSError:
            return False

    def requests_for(self, suffix):
        """How many GETs the server answered 200 for a path ending in `suffix`, by its request log."""
        count = 0
        with open(self.log_path) as log:
            for line in log:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                span = entry.get("span") or {}
                fields = entry.get("fields") or {}
                if (
                    fields.get("message") == "finished processing request"
                    and span.get("method") == "GET"
                    and str(span.get("uri", "")).split("?")[0].endswith(suffix)
                    and str(fields.get("status")) == "200"
                ):
                    count += 1
        return count

    def has_customer(self, name):
        account = http_json("POST", self.base + "api/v1/auth/login", {"login": LOGIN, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {account['token']}"}
        cursor, client = None, str(uuid.uuid4())
        while True:
            page = http_json("POST", self.base + "api/v1/sync/pull",
                             {"client_id": client, "cursor": cursor, "limit": 5000}, headers)
            if any(r["collection"] == "customers" and r["fields"].get("name") == name for r in page["records"]):
                return True
            if not page["has_more"]:
                return False
            cursor = page["cursor"]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Driver:
    """A WebDriver server for one engine, on a port of its own."""

    def __init__(self, engine, workdir):
        self.port = free_port()
        env = dict(os.environ)
        if engine == "firefox":
            command = ["geckodriver", "--port", str(self.port), "--log", "warn"]
            self.capabilities = {
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": shutil.which("firefox-esr") or "/usr/bin/firefox-esr",
                    "args": ["-headless"],
                    "prefs": {"intl.accept_languages": "zh-CN"},
                },
            }
        else:
            # WebKitGTK needs a display: a virtual one, as big as a tablet held sideways.
            command = ["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", "WebKitWebDriver", f"--port={self.port}"]
            env["LANGUAGE"] = "zh_CN"
            self.capabilities = {
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {"binary": MINIBROWSER, "args": ["--automation"]},
            }
        self.log = open(os.path.join(workdir, f"{engine}-driver.log"), "w")
        # Its own process group: xvfb-run's display and the browser go with it.
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(f"{engine}'s WebDriver server", self._ready, timeout=30)

    def _ready(self):
        try:
            with urllib.request.urlopen(self.url + "/status", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self):
        try:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, 9)
            except ProcessLookupError:
                pass
        self.log.close()


def smoke(engine, server, workdir):
    driver = Driver(engine, workdir)
    session = None
    try:
        session = Session(driver.url, driver.capabilities)
        version = session.capabilities.get("browserVersion", "?")
        print(f"{engine} {version}: signing in", flush=True)
        wasm_before = server.requests_for("_bg.wasm")

        # A deep link asks for sign-in first, in Chinese.
        session.go(server.base + "customers")
        wait_until("the sign-in page", lambda: "/login?next=" in session.url())
        username = wait_until("the sign-in form", lambda: session.element("input[name=username]"))
        assert session.script("return document.documentElement.lang") == "zh-CN", "the page is not in Chinese"
        session.type(username, LOGIN)
        session.type(session.element("input[name=password]"), PASSWORD)
        session.click(session.element("button[type=submit]"))
        wait_until("the customer list after sign-in", lambda: "/login" not in session.url() and "/customers" in session.url())
        wait_until(
            "the first sync",
            lambda: session.script(
                "return document.querySelector('.topbar .sync-indicator')?.getAttribute('data-state')"
            ) == "synced",
            timeout=90,
        )
        wait_until(
            "the list's rows",
            lambda: session.script(
                "const list = document.querySelector('[data-testid=customers-list]');"
                "return list && list.getAttribute('aria-busy') === 'false'"
                " && document.querySelectorAll('[data-testid=record-list] [role=row]').length > 0"
            ),
        )

        # A customer created in the generated form: stored on the device, sent to the server.
        name = f"跨引擎客户 {engine} {uuid.uuid4().hex[:8]}"
        session.click(session.element("[data-testid=list-new]"))
        field = wait_until("the new customer form", lambda: session.script(FIELD_BY_LABEL, "客户名称"))
        session.type(field, name)
        kind = session.script(FIELD_BY_LABEL, "客户类型")
        session.click(kind)
        session.click(session.script(OPTION_BY_TEXT, kind, "经销商"))
        session.click(session.script(BUTTON_BY_TEXT, "创建"))
        wait_until(
            "the new customer's page",
            lambda: session.script("return document.querySelector('[data-testid=record-title]')?.textContent") == name,
        )
        wait_until("the customer on the server", lambda: server.has_customer(name), timeout=60)

        # The service worker has installed the shell (from the page's copy of the wasm, which it then
        # removes) and controls the page, so the next start needs no network.
        wait_until(
            "the service worker controlling the page",
            lambda: session.script("return navigator.serviceWorker.controller !== null"),
        )
        wait_until(
            "the page's copy of the wasm handed over",
            lambda: session.call(
                "POST", "/execute/async",
                {"script": "caches.has('yingxiao-boot').then((kept) => arguments[0](!kept))", "args": []},
            ),
        )

        # Started again from what the browser kept: the same customer, from the device's own copy.
        session.go(server.base + "customers")
        search = wait_until("the list's search box", lambda: session.script(FIELD_BY_LABEL, "搜索"))
        session.type(search, name)
        wait_until(
            "the customer in the list after a reload",
            lambda: session.script(
                "return [...document.querySelectorAll('[data-testid=record-list] [role=row]')]"
                ".some((row) => row.textContent.includes(arguments[0]))",
                name,
            ),
        )

        assert session.script("return navigator.serviceWorker.controller !== null"), "no service worker after a reload"

        # Away to another page and back: the list, which the browser may have kept frozen in its
        # back/forward cache with its database let go, loads anew (the mark set on it is gone) and works.
        session.script("window.leftHere = true")
        session.go(server.base + "funnel")
        wait_until("the funnel page", lambda: session.script("return document.querySelector('h1')?.textContent") == "销售漏斗")
        session.script("history.back()")
        wait_until(
            "the list again, loaded anew and working",
            lambda: "/customers" in session.url()
            and session.script(
                "return window.leftHere === undefined"
                " && document.querySelectorAll('[data-testid=record-list] [role=row]').length > 0"
            ),
        )
        fetched = server.requests_for("_bg.wasm") - wasm_before
        print(f"{engine} {version}: the wasm was downloaded {fetched} time(s) on a first visit", flush=True)
        assert fetched == 1, f"{engine} downloaded the wasm {fetched} times on a first visit, not once"
        print(f"{engine} {version}: passed", flush=True)
    except BaseException:
        if session is not None:
            try:
                print(f"{engine}: the device's database says: {session.call('POST', '/execute/async', {'script': PROBE_DATABASE, 'args': []})}",
                      file=sys.stderr)
            except (WebDriverError, OSError) as error:
                print(f"{engine}: could not probe the database: {error}", file=sys.stderr)
            shot = os.path.join(workdir, f"{engine}-failure.png")
            try:
                session.screenshot(shot)
                print(f"{engine}: screenshot at {shot}; page URL {session.url()}", file=sys.stderr)
            except (WebDriverError, OSError):
                pass
        raise
    finally:
        if session is not None:
            session.close()
        driver.stop()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, dist = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    engines = sys.argv[3:] or ["firefox", "webkit"]
    workdir = tempfile.mkdtemp(prefix="yingxiao-cross-engine.")
    server = Server(binary, dist, workdir)
    failed = False
    try:
        for engine in engines:
            try:
                smoke(engine, server, workdir)
            except (AssertionError, WebDriverError, OSError) as error:
                failed = True
                print(f"{engine}: FAILED: {error}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    if failed:
        print(f"logs and screenshots in {workdir}", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
