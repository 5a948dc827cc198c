import { hash, verify } from '@node-rs/argon2'

/*
 * Password hashing: argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). The
 * parameters travel inside each hash, so raising them later still verifies old hashes.
 */
// `algorithm: 2` is the library's Algorithm.Argon2id (a const enum, which isolated modules cannot read).
const options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 }

/**
 * An argon2id hash of `password` (PHC string, salt included).
 *
 * @example
 * const stored = await hashPassword('correct horse battery')
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password, options)
}

/** A hash of nothing anyone knows, verified when a user does not exist, so both take as long. */
let decoy: Promise<string> | undefined

/**
 * Whether `password` matches `stored`; with no stored hash (unknown user) it spends the same
 * time on a decoy and answers false, so timing does not tell which user names exist.
 *
 * @example
 * if (await verifyPassword(row?.password_hash, given)) signIn()
 */
export async function verifyPassword(
  stored: string | undefined,
  password: string,
): Promise<boolean> {
  if (stored === undefined) {
    decoy ??= hash(`decoy-${Math.random()}`, options)
    await verify(await decoy, password).catch(() => false)
    return false
  }
  return verify(stored, password).catch(() => false)
}
