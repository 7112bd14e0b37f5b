/**
 * A user's folder of PNG/JPEG images as an ImageDataset: every image resized (cover crop) to
 * height × width, grayscale (1 channel) or RGB (3). If every image sits in a sub-folder, the
 * sub-folder names become class labels (sorted), as torchvision's ImageFolder does; otherwise
 * the data are unlabelled. An unreadable image is an error naming it, unless `skipUnreadable`
 * is set, in which case it is reported through `warn` and left out.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { ImageDataset } from './images.js';
import { classLabels } from './imageBatches.js';
import { fileKind } from './points.js';

export interface FolderOptions {
  height?: number;
  width?: number;
  channels?: 1 | 3;
  skipUnreadable?: boolean;
  warn?: (message: string) => void;
  /** File names left out at the top level of the folder. */
  exclude?: string[];
}

const IMAGE = /\.(png|jpe?g)$/i;

/**
 * The image files under `dir`, sorted. An entry that cannot be read (a dangling link, a symlink
 * loop, no permission) is an error naming it, or with `skipUnreadable` a warning; a link back to
 * a folder already walked is skipped with a warning (its images are in already).
 */
function listImages(dir: string, skipUnreadable: boolean, warn: (message: string) => void): string[] {
  const out: string[] = [];
  const walked = new Set<string>();
  const notes: string[] = []; // said once the walk has succeeded, so that an error stays one line
  const unreadable = (path: string, e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const message = `${path}: cannot read (${code}${code === 'ELOOP' ? ': a symlink loop' : code === 'ENOENT' ? ': a dangling link' : ''})`;
    if (!skipUnreadable) throw new InputError(`${message}; pass --skip-unreadable to leave such files out`);
    notes.push(`gankit: skipping ${message}`);
  };
  const walk = (d: string) => {
    const real = realpathSync(d);
    if (walked.has(real)) {
      notes.push(`gankit: skipping ${d}: a link back to ${real}, already read`);
      return;
    }
    walked.add(real);
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch (e) {
      return unreadable(d, e);
    }
    for (const entry of entries) {
      const path = join(d, entry);
      let st;
      try {
        st = statSync(path);
      } catch (e) {
        unreadable(path, e);
        continue;
      }
      if (st.isDirectory()) walk(path);
      else if (IMAGE.test(entry) && !st.isFile()) unreadable(path, new Error(`not a regular file: ${fileKind(st)}`));
      else if (IMAGE.test(entry)) out.push(path);
    }
  };
  walk(dir);
  notes.forEach((note) => warn(note));
  return out;
}

export async function loadImageFolder(dir: string, { height = 32, width = 32, channels = 3, skipUnreadable = false, warn = (m) => console.error(m), exclude = [] }: FolderOptions = {}): Promise<ImageDataset> {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    throw new InputError(`${dir}: cannot read the image folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const files = listImages(dir, skipUnreadable, warn).filter((f) => !(exclude.includes(basename(f)) && resolve(dirname(f)) === resolve(dir)));
  if (files.length === 0) throw new InputError(`${dir}: no PNG or JPEG images found`);
  // Loaded here, not at import: the native decoder is needed only for folder data.
  const { default: sharp } = await import('sharp');
  const size = height * width * channels;
  const pixels: Uint8Array[] = [];
  const kept: string[] = [];
  for (const file of files) {
    try {
      let image = sharp(file).resize(width, height, { fit: 'cover' }).removeAlpha();
      image = channels === 1 ? image.grayscale() : image.toColourspace('srgb');
      const raw = await image.raw().toBuffer({ resolveWithObject: true });
      if (raw.info.channels !== channels || raw.data.length !== size) throw new Error(`decoded to ${raw.info.channels} channels, ${raw.data.length} bytes`);
      pixels.push(new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length));
      kept.push(file);
    } catch (e) {
      const message = `${file}: cannot decode the image (${(e as Error).message.split('\n')[0]})`;
      if (!skipUnreadable) throw new InputError(`${message}; pass --skip-unreadable to leave such files out`);
      warn(`gankit: skipping ${message}`);
    }
  }
  if (kept.length === 0) throw new InputError(`${dir}: none of the ${files.length} images could be read`);
  const classOf = (file: string) => {
    const parts = relative(dir, file).split(sep);
    return parts.length > 1 ? parts[0] : null;
  };
  const labelled = kept.every((f) => classOf(f) !== null);
  const classNames = labelled ? [...new Set(kept.map((f) => classOf(f)!))].sort() : [];
  const all = new Uint8Array(kept.length * size);
  pixels.forEach((p, i) => all.set(p, i * size));
  return {
    name: `folder:${dir}`,
    pixels: all,
    labels: labelled ? classLabels(kept.map((f) => classNames.indexOf(classOf(f)!)), classNames.length, dir) : null,
    count: kept.length,
    height,
    width,
    channels,
    classes: classNames.length,
    classNames: labelled ? classNames : undefined,
  };
}
