// A stand-in for a company's intranet portal (企业门户) on an origin of its own, and a page of
// another site on a second origin: `portal.html` frames the address given in `?app=`, as a portal
// frames Yingxiao; `intruder.html` is a site Yingxiao does not list. Run by Playwright's webServer
// list: `node portal/serve.mjs PORT OTHER_PORT`.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const pages = {
  '/portal.html': readFileSync(new URL('./portal.html', import.meta.url)),
  '/intruder.html': readFileSync(new URL('./intruder.html', import.meta.url)),
};

for (const port of process.argv.slice(2).map(Number)) {
  createServer((request, response) => {
    const path = new URL(request.url, `http://127.0.0.1:${port}`).pathname;
    const page = pages[path === '/' ? '/portal.html' : path];
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (page) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else {
      response.writeHead(404).end();
    }
  }).listen(port, '127.0.0.1');
}
