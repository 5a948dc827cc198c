import type { Role } from '@sluice/contract'
import { actorOf } from '../audit/auditLog'
import type { AuditApi } from '../trpc/accessServices'
import { requireRole, RoleRefusal, type Caller } from './caller'

/**
 * `requireRole`, and a refused change written to the audit log (`access.denied`, naming what was
 * tried and the role it needs). Refused reads are not audited: the console reads what a role may
 * and hides the rest. Used by the tRPC procedures and the HTTP routes alike.
 *
 * @example
 * await roleGate(caller, 'operator', 'failures.retry', { audit, change: true })
 */
export async function roleGate(
  caller: Caller,
  role: Role,
  what: string,
  options: { audit: AuditApi; change: boolean },
): Promise<void> {
  try {
    requireRole(caller, role, what)
  } catch (error) {
    if (error instanceof RoleRefusal && options.change) {
      await options.audit.record({
        ...actorOf(caller),
        action: 'access.denied',
        target: what,
        details: { requiredRole: role },
      })
    }
    throw error
  }
}
