// A stand-in for a company's intranet portal (企业门户), on an origin of its own: it serves one page
// that frames the address given in `?app=`, as a portal frames Yingxiao. Run by Playwright's
// webServer list: `node portal/serve.mjs PORT`.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const port = Number(process.argv[2]);
const page = readFileSync(new URL('./portal.html', import.meta.url));

createServer((request, response) => {
  const path = new URL(request.url, `http://127.0.0.1:${port}`).pathname;
  if (path === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  } else if (path === '/' || path === '/portal.html') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else {
    response.writeHead(404).end();
  }
}).listen(port, '127.0.0.1');
