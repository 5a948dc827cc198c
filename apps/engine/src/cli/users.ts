/*
 * `npm run users -- <command>`: local users of the console, in the engine's database.
 *
 *   add NAME --role viewer|operator|admin    password from SLUICE_USER_PASSWORD, --password-stdin, or asked
 *   list
 *   remove NAME
 *   set-role NAME ROLE
 *   set-password NAME                        same password sources as add; ends NAME's sessions
 *
 * Every change is written to the audit log as the operating-system user who ran it (`cli`).
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { ROLES, roleSchema, type Role } from '@sluice/contract'
import { AuditLog } from '../audit/auditLog'
import { UserAdmin, type UserChangeActor } from '../auth/userAdmin'
import { UserStore } from '../auth/userStore'
import { defaultDataDir } from '../database/embeddedDatabase'
import { migrate } from '../database/migrations'
import { loadEnv } from '../env'
import { EngineError } from '../errors'
import { createLogger } from '../logger'
import { openCliDatabase } from './cliDatabase'
import { readPassword } from './readPassword'

const usage = `usage: npm run users -- <command>
  add NAME --role ${ROLES.join('|')} [--password-stdin]
  list
  remove NAME
  set-role NAME ${ROLES.join('|')}
  set-password NAME [--password-stdin]
The password comes from SLUICE_USER_PASSWORD, from standard input with --password-stdin, or is asked for.
The database is DATABASE_URL, else the embedded one (SLUICE_DATA_DIR).`

class UsageError extends Error {}

const role = (value: string | undefined): Role => {
  const parsed = roleSchema.safeParse(value)
  if (!parsed.success)
    throw new UsageError(`role must be one of ${ROLES.join(', ')} (got ${value ?? 'nothing'})`)
  return parsed.data
}

async function run(argv: readonly string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [command, name, extra] = positionals
  if (values.help || command === undefined) {
    process.stdout.write(`${usage}\n`)
    if (command === undefined && !values.help) process.exitCode = 2
    return
  }
  const needsName = command !== 'list'
  if (needsName && name === undefined) throw new UsageError(`${command} needs a user name`)
  const env = loadEnv(process.env, [])
  const log = createLogger(env.SLUICE_LOG_LEVEL === 'info' ? 'warn' : env.SLUICE_LOG_LEVEL)
  const password = () =>
    readPassword({
      fromStdin: values['password-stdin'] === true,
      fromEnv: process.env.SLUICE_USER_PASSWORD,
    })

  const database = await openCliDatabase(
    env.DATABASE_URL,
    env.SLUICE_DATA_DIR ?? defaultDataDir(),
    log,
  )
  const pool = new pg.Pool({
    connectionString: database.url,
    max: 2,
    application_name: 'sluice-users',
  })
  try {
    await migrate(pool, log)
    const admin = new UserAdmin(new UserStore(pool), new AuditLog(pool, log))
    const actor: UserChangeActor = {
      actor: { kind: 'cli', name: userInfo().username },
      role: null,
      address: null,
    }
    const user = name ?? ''
    switch (command) {
      case 'list': {
        const users = await admin.list()
        if (users.length === 0)
          process.stdout.write('no users: sign-in is off on a loopback engine\n')
        for (const each of users) {
          process.stdout.write(
            `${each.name}\t${each.role}\tcreated ${each.createdAt}\tlast sign-in ${each.lastSignInAt ?? 'never'}\n`,
          )
        }
        return
      }
      case 'add': {
        const chosen = role(values.role ?? extra)
        await admin.add(actor, { name: user, role: chosen, password: await password() })
        process.stdout.write(`added ${user} (${chosen}) in ${database.description}\n`)
        return
      }
      case 'remove':
        await admin.remove(actor, user)
        process.stdout.write(`removed ${user}; their sessions ended\n`)
        return
      case 'set-role': {
        const chosen = role(extra ?? values.role)
        await admin.setRole(actor, user, chosen)
        process.stdout.write(`${user} is now ${chosen}\n`)
        return
      }
      case 'set-password':
        await admin.setPassword(actor, user, await password())
        process.stdout.write(`password of ${user} changed; their sessions ended\n`)
        return
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
  } finally {
    await pool.end()
    await database.close()
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`sluice users: ${error.message}\n${usage}\n`)
    process.exit(2)
  }
  const message =
    error instanceof EngineError || error instanceof Error ? error.message : String(error)
  process.stderr.write(`sluice users: ${message}\n`)
  process.exit(1)
})
