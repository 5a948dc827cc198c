/** The lower-cased host name of a Host header (`localhost:3000` → `localhost`); undefined for junk. */
export function hostNameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase()
  } catch {
    return undefined
  }
}
