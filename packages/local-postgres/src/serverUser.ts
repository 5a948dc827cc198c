import { execFile } from 'node:child_process'
import { userInfo } from 'node:os'
import { promisify } from 'node:util'
import { LocalPostgresError } from './localPostgresError'

const run = promisify(execFile)

/** The OS user the PostgreSQL programs run as. */
export interface ServerUser {
  readonly name: string
  readonly uid: number
  readonly gid: number
  /** The groups its programs run with: what it may enter depends on them. */
  readonly groups: readonly number[]
  /** True when it is not us: programs are spawned with its uid and gid (we are root). */
  readonly switched: boolean
}

const serverUserName = 'postgres'

async function lookUp(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])])
    const primary = Number(gid.stdout.trim())
    // Node drops supplementary groups when it spawns with a uid and gid: only the primary counts.
    return { name, uid: Number(uid.stdout.trim()), gid: primary, groups: [primary], switched: true }
  } catch {
    return undefined
  }
}

async function groupExists(name: string): Promise<boolean> {
  return run('getent', ['group', name]).then(
    () => true,
    () => false,
  )
}

async function createServerUser(): Promise<void> {
  // A system user without a home or a login shell: it only ever runs the server.
  const group = (await groupExists(serverUserName)) ? ['-g', serverUserName] : ['--user-group']
  await run('useradd', [
    '--system',
    ...group,
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    serverUserName,
  ])
}

let root: Promise<ServerUser> | undefined

/**
 * Who runs the server: we ourselves, or, when we are root (PostgreSQL refuses to run as root),
 * the `postgres` system user, created if missing (two processes may race to create it: the
 * loser finds it made).
 *
 * @example
 * const user = await serverUser() // { name: 'postgres', uid: 101, switched: true, ... } as root
 */
export function serverUser(): Promise<ServerUser> {
  if (process.getuid?.() !== 0) {
    const me = userInfo()
    return Promise.resolve({
      name: me.username,
      uid: me.uid,
      gid: me.gid,
      groups: process.getgroups?.() ?? [me.gid],
      switched: false,
    })
  }
  root ??= (async () => {
    const existing = await lookUp(serverUserName)
    if (existing) return existing
    let failure: unknown
    await createServerUser().catch((error: unknown) => {
      failure = error
    })
    const made = await lookUp(serverUserName)
    if (made) return made
    throw new LocalPostgresError(
      'SERVER_USER',
      `PostgreSQL refuses to run as root and the "${serverUserName}" OS user it should run as could not be created ` +
        `(${failure instanceof Error ? failure.message : 'useradd failed'}): create it with \`useradd --system --user-group ${serverUserName}\`, or run as an ordinary user`,
      { cause: failure },
    )
  })()
  root.catch(() => {
    root = undefined
  })
  return root
}

/** spawn/execFile options that run a program as `user`. */
export function runAs(user: ServerUser): { uid?: number; gid?: number } {
  return user.switched ? { uid: user.uid, gid: user.gid } : {}
}
