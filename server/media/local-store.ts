import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { parsePictureKey } from './keys';
import type { MediaStore } from './store';

/** The default store: files under `dir` (`.data/media`), one folder per church. */
export function createLocalStore(dir: string): MediaStore {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    if (!parsePictureKey(key)) throw new Error(`not a picture key: ${key}`); // nothing outside the store, ever
    return join(root, key);
  };
  return {
    name: 'local',
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written aside, then renamed: a reader never sees half a picture.
      const partial = `${path}.${randomUUID()}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, path);
    },
    async get(key) {
      const parsed = parsePictureKey(key);
      if (!parsed) return null;
      try {
        return { bytes: await readFile(join(root, key)), contentType: parsed.type };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async delete(keys) {
      for (const key of keys) await unlink(pathOf(key)).catch(ignoreMissing);
    },
    async deletePrefix(prefix) {
      if (!/^[0-9a-f-]{36}$/.test(prefix)) throw new Error(`not a church's folder: ${prefix}`);
      await rm(join(root, prefix), { recursive: true, force: true });
    },
  };
}

const ignoreMissing = (err: NodeJS.ErrnoException) => {
  if (err.code !== 'ENOENT') throw err;
};
