// Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file of the site's `pkg` folder
// (wasm, JS, CSS), so that the server sends them compressed without compressing per request.
//
// Usage: node scripts/precompress.mjs <pkg folder> <brotli quality 0–11>
// Prints each file's size raw, gzip and brotli, the whole site's, and the first download's: what
// a browser fetches to show any page (the main wasm, its JS, the chunk loader and the
// stylesheet), without the lazy pages' chunks (`split_*.wasm`, `chunk_*.wasm`, fetched when a
// page that needs them is opened).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [dir, quality = "11"] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node scripts/precompress.mjs <pkg folder> [brotli quality]");
  process.exit(2);
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
let total = { raw: 0, gz: 0, br: 0 };
let first = { raw: 0, gz: 0, br: 0 };
let chunks = 0;
const lazyChunk = (name) => /^(split|chunk)_.*\.wasm$/.test(name);
for (const name of readdirSync(dir).sort()) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const raw = readFileSync(join(dir, name));
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: Number(quality),
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      [constants.BROTLI_PARAM_MODE]: name.endsWith(".wasm")
        ? constants.BROTLI_MODE_GENERIC
        : constants.BROTLI_MODE_TEXT,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(join(dir, `${name}.br`), br);
  writeFileSync(join(dir, `${name}.gz`), gz);
  total = { raw: total.raw + raw.length, gz: total.gz + gz.length, br: total.br + br.length };
  if (lazyChunk(name)) {
    chunks += 1;
  } else {
    first = { raw: first.raw + raw.length, gz: first.gz + gz.length, br: first.br + br.length };
    console.log(`${name}: ${kib(raw.length)} raw, ${kib(gz.length)} gzip, ${kib(br.length)} brotli`);
  }
}
console.log(`site, with ${chunks} chunks of lazy pages: ${kib(total.raw)} raw, ${kib(total.gz)} gzip, ${kib(total.br)} brotli`);
console.log(`first download: ${kib(first.raw)} raw, ${kib(first.gz)} gzip, ${kib(first.br)} brotli`);
