// Benchmark only: the original system's export path (sharp: cover crop, per-format encode, formats of
// one image in parallel with Promise.all, as export.service.ts exportMultipleFormats did).
// usage: node export.js INPUT_DIR OUT_DIR [--mozjpeg]   -> prints one JSON line {seconds, bytes, files}
const fs = require('fs');
const path = require('path');
const sharp = require('sharp');

const FORMATS = {
  instagram_story: [1080, 1920, 'jpeg', 90], instagram_feed: [1080, 1080, 'jpeg', 85],
  instagram_portrait: [1080, 1350, 'jpeg', 85], tiktok: [1080, 1920, 'jpeg', 90],
  facebook_post: [1200, 630, 'jpeg', 85], twitter_post: [1200, 675, 'jpeg', 85],
  linkedin_post: [1200, 627, 'jpeg', 85], shopee_product: [1000, 1000, 'jpeg', 95],
  tokopedia_product: [1200, 1200, 'jpeg', 95], lazada_product: [1000, 1000, 'jpeg', 95],
  print_a4: [2480, 3508, 'png', 100, 300], print_4x6: [1800, 1200, 'png', 100, 300], original: [null, null, 'png', 100],
};

async function one(buffer, [w, h, type, quality, dpi], mozjpeg) {
  let img = sharp(buffer).rotate();
  if (w) img = img.resize(w, h, { fit: 'cover', position: 'centre' });
  if (dpi) img = img.withMetadata({ density: dpi });
  img = type === 'jpeg'
    ? img.jpeg({ quality, progressive: true, optimiseCoding: true, mozjpeg })
    : img.png({ compressionLevel: 6 });
  return img.toBuffer();
}

async function main() {
  const [input, out] = process.argv.slice(2);
  const mozjpeg = process.argv.includes('--mozjpeg');
  const files = fs.readdirSync(input).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  const buffers = files.map((f) => fs.readFileSync(path.join(input, f)));
  fs.mkdirSync(out, { recursive: true });
  const results = [];
  const started = process.hrtime.bigint();
  for (const buffer of buffers) {
    const names = Object.keys(FORMATS);
    const encoded = await Promise.all(names.map((n) => one(buffer, FORMATS[n], mozjpeg)));
    results.push(names.map((n, i) => [n, encoded[i]]));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let bytes = 0;
  const perFormat = {};
  results.forEach((formats, i) => formats.forEach(([n, buf]) => {
    bytes += buf.length;
    perFormat[n] = (perFormat[n] || 0) + buf.length;
    fs.writeFileSync(path.join(out, `${path.parse(files[i]).name}_${n}.${FORMATS[n][2] === 'jpeg' ? 'jpg' : 'png'}`), buf);
  }));
  console.log(JSON.stringify({ seconds, bytes, files: files.length, perFormat }));
}

main().catch((e) => { console.error(e); process.exit(1); });
