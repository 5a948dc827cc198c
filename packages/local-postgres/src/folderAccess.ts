import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { ServerUser } from './serverUser'

/** Whether `user` may do `bit` (4 read, 2 write, 1 search) on a file of this owner and mode. */
function permits(
  user: ServerUser,
  owner: { uid: number; gid: number; mode: number },
  bit: number,
): boolean {
  if (user.uid === 0) return true
  if (owner.uid === user.uid) return (owner.mode & (bit << 6)) !== 0
  if (user.groups.includes(owner.gid)) return (owner.mode & (bit << 3)) !== 0
  return (owner.mode & bit) !== 0
}

/**
 * The first folder on the way to `path` (its ancestors, from `/` down, then `path` itself when
 * it is a folder that exists) that `user` may not enter, or undefined when nothing stops it.
 * Folders that do not exist yet stop nobody: whoever creates them decides.
 *
 * @example
 * await folderBlocking('/root/clone/node_modules/x', postgresUser) // '/root' (mode 0700)
 */
export async function folderBlocking(
  path: string,
  user: ServerUser,
): Promise<{ folder: string; mode: number } | undefined> {
  const chain: string[] = []
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    chain.unshift(folder)
    if (dirname(folder) === folder) break
  }
  for (const folder of chain) {
    const info = await stat(folder).catch(() => undefined)
    if (!info) return undefined
    if (!info.isDirectory()) continue
    if (!permits(user, info, 1)) return { folder, mode: info.mode & 0o7777 }
  }
  return undefined
}

/** `0700`-style text of a mode, for messages. */
export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`
}
