#!/usr/bin/env node
// The lab's pod application: a tiny HTTP server started inside a pod (or node) namespace
// with `ip netns exec NS node app.mjs --spec JSON`. It listens where the scenario says and
// answers each path with a body of the scenario's size (a login page of a few KB, an API
// response bigger than the path MTU) and the scenario's status (500 for a broken replica).
// No DNS at start (python's http.server does a reverse lookup and stalls in a netns
// without a resolver) and no dependencies, so it is ready in a few tens of milliseconds.
import http from 'node:http';
import { writeFileSync } from 'node:fs';

const i = process.argv.indexOf('--spec');
const spec = JSON.parse(process.argv[i + 1] ?? '{}');
const ports = Array.isArray(spec.listen) ? spec.listen : [];
const responses = spec.responses && typeof spec.responses === 'object' ? spec.responses : {};
const status = Number.isInteger(spec.status) ? spec.status : 200;
const name = String(spec.name ?? 'app');

function bodyFor(path, size) {
  // readable HTML, padded to exactly `size` bytes, so a capture shows what it carries
  const head = `<!doctype html><html><head><title>${name} ${path}</title></head><body>\n`;
  const tail = '</body></html>\n';
  const fill = Math.max(0, size - head.length - tail.length);
  const line = `${name} says hello from ${path}. `;
  const pad = line.repeat(Math.ceil(fill / line.length) + 1).slice(0, fill);
  return Buffer.from((head + pad + tail).slice(0, Math.max(size, 0)));
}

const cache = new Map();
function sizeFor(url) {
  const path = (url ?? '/').split('?')[0];
  if (Object.hasOwn(responses, path)) return [path, responses[path]];
  return [path, responses['/'] ?? 64];
}

const handler = (req, res) => {
  const [path, size] = sizeFor(req.url);
  if (!cache.has(path)) cache.set(path, bodyFor(path, size));
  const body = status >= 500 ? Buffer.from(`${name}: internal server error\n`) : cache.get(path);
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': body.length, 'x-served-by': name });
  // headers in their own small segment, as most servers send them: a client then sees
  // "200" even when the big body that follows is lost on the way (incident 004)
  res.flushHeaders();
  setTimeout(() => res.end(body), 5);
};

let ready = 0;
for (const port of ports) {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 1000;
  server.listen(port, '0.0.0.0', () => {
    ready += 1;
    if (ready === ports.length && spec.readyFile) writeFileSync(spec.readyFile, `${process.pid}\n`);
  });
}
if (ports.length === 0 && spec.readyFile) writeFileSync(spec.readyFile, `${process.pid}\n`);
process.on('SIGTERM', () => process.exit(0));
// a pod that listens on nothing still lives, like a container whose process binds elsewhere
setInterval(() => {}, 1 << 30);
