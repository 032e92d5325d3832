// Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file of the site's `pkg` folder
// (wasm, JS, CSS), so that the server sends them compressed without compressing per request.
//
// Usage: node scripts/precompress.mjs <pkg folder> <brotli quality 0–11>
// Prints each file's size raw, gzip and brotli.
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
  console.log(`${name}: ${kib(raw.length)} raw, ${kib(gz.length)} gzip, ${kib(br.length)} brotli`);
}
console.log(`site: ${kib(total.raw)} raw, ${kib(total.gz)} gzip, ${kib(total.br)} brotli`);
