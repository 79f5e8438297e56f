/**
 * Regenerates the add-in icons (icon-16/32/64/80/128.png) next to this file:
 * `npx tsx addin/assets/make-icons.ts`. The PNGs are committed; this only documents how they were made.
 *
 * The mark: a blue rounded square with a white "sync" ring (two arcs with arrowheads), drawn with signed
 * distance functions and 4×4 supersampling so small sizes stay crisp. No image library needed: PNG is
 * a signature, IHDR, one zlib-compressed IDAT and IEND.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const SIZES = [16, 32, 64, 80, 128];
const BLUE = [0x0f, 0x6c, 0xbd]; // Fluent's brand blue (webLightTheme colorBrandBackground)
const WHITE = [0xff, 0xff, 0xff];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function encodePng(size: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Coverage of each layer at a point in the unit square (0..1). */
function shapes(x: number, y: number): { background: boolean; mark: boolean } {
  const r = 0.2; // corner radius
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  const background = Math.hypot(qx, qy) <= r;

  const dx = x - 0.5;
  const dy = y - 0.5;
  const dist = Math.hypot(dx, dy);
  const angle = Math.atan2(dy, dx); // -π..π, 0 = right
  // Two arcs with gaps at the top-right and bottom-left, where the arrowheads sit.
  const inGap = (a: number, centre: number) => Math.abs(Math.atan2(Math.sin(a - centre), Math.cos(a - centre))) < 0.45;
  const ring = dist >= 0.21 && dist <= 0.31 && !inGap(angle, -Math.PI / 4) && !inGap(angle, (3 * Math.PI) / 4);
  const arrow = (cx: number, cy: number, dirX: number, dirY: number) => {
    // Triangle pointing along (dirX, dirY), its base across the ring.
    const px = x - cx;
    const py = y - cy;
    const along = px * dirX + py * dirY;
    const across = Math.abs(-px * dirY + py * dirX);
    return along >= -0.02 && along <= 0.14 && across <= 0.13 * (1 - (along + 0.02) / 0.16);
  };
  const s = Math.SQRT1_2;
  const a1 = arrow(0.5 + 0.26 * s, 0.5 - 0.26 * s - 0.06, -s, -s); // clockwise head near the top-right gap
  const a2 = arrow(0.5 - 0.26 * s, 0.5 + 0.26 * s + 0.06, s, s);
  return { background, mark: background && (ring || a1 || a2) };
}

function render(size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let mark = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const s = shapes((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (s.background) bg++;
          if (s.mark) mark++;
        }
      }
      const alpha = bg / (n * n);
      const t = bg === 0 ? 0 : mark / bg;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) out[i + c] = Math.round(BLUE[c]! * (1 - t) + WHITE[c]! * t);
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const dir = import.meta.dirname;
for (const size of SIZES) {
  const file = path.join(dir, `icon-${size}.png`);
  fs.writeFileSync(file, encodePng(size, render(size)));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
