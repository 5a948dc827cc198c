import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A clone of `repo` in `target`: every file git tracks or would track (the working tree as it
 * is, uncommitted changes too; nothing git ignores: no node_modules, builds or data), owned by
 * `owner` when given. Dependencies are not installed again: node_modules is hard-linked from
 * `repo` (same files, owned by whoever installed them, read-only to others), which is what a
 * clone has after `npm ci` and takes half a second instead of a minute.
 *
 * @example
 * cloneTree('/work/sluice', '/tmp/x/sluice', { uid: 1001, gid: 1001 })
 */
export function cloneTree(
  repo: string,
  target: string,
  owner?: { readonly uid: number; readonly gid: number },
): void {
  const listed = spawnSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z'],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  )
  if (listed.status !== 0)
    throw new Error(`git ls-files failed in ${repo} (is it a git clone?): ${listed.stderr}`)
  // Tracked files deleted in the working tree are not part of it.
  const files = listed.stdout
    .split('\0')
    .filter(
      (file) =>
        file !== '' && existsSync(join(repo, file)) && !lstatSync(join(repo, file)).isDirectory(),
    )
  mkdirSync(target, { recursive: true })
  const packed = spawnSync('tar', ['-C', repo, '--null', '-T', '-', '-cf', '-'], {
    input: files.join('\0'),
    maxBuffer: 1 << 30,
  })
  if (packed.status !== 0) throw new Error(`tar failed: ${String(packed.stderr)}`)
  const unpacked = spawnSync('tar', ['-C', target, '-xf', '-'], { input: packed.stdout })
  if (unpacked.status !== 0) throw new Error(`tar failed: ${String(unpacked.stderr)}`)
  if (owner) execFileSync('chown', ['-R', `${String(owner.uid)}:${String(owner.gid)}`, target])
  // After the chown: hard links share their owner with the originals, which must not change.
  execFileSync('cp', ['-al', join(repo, 'node_modules'), join(target, 'node_modules')])
}
