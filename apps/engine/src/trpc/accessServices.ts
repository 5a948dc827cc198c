import type {
  AuditPage,
  AuthSession,
  FailureFilter,
  FlushResult,
  ListAuditInput,
  PipelineConfig,
  PipelineConfigPatch,
  PipelineView,
  RetryReport,
  Role,
  SignInResult,
  UserView,
} from '@sluice/contract'
import type { Caller } from '../auth/caller'
import type { NewAuditEntry } from '../audit/auditLog'

/*
 * Who may do what, as the tRPC routers see it: sign-in, users, the audit log, and the changes
 * that are audited. Interfaces, like services.ts, so the router type the console imports does not
 * reach the classes (and their libraries) behind them.
 */

export interface AuthApi {
  readonly viewersSeeParams: boolean
  session(caller: Caller, browserHost: string | undefined): Promise<AuthSession>
  signIn(
    caller: Caller,
    credentials: { user: string; password: string },
    previousSession: string | undefined,
  ): Promise<SignInResult>
  signOut(caller: Caller, sessionId: string): Promise<void>
  oidcStart(redirectUri: string): Promise<{ url: string; state: string }>
  oidcFinish(
    caller: Caller,
    callbackUrl: string,
    state: string,
    previousSession: string | undefined,
  ): Promise<SignInResult>
}

export type AuditActorFields = Pick<NewAuditEntry, 'actor' | 'role' | 'address'>

export interface UsersApi {
  list(): Promise<UserView[]>
  add(
    actor: AuditActorFields,
    input: { name: string; role: Role; password: string },
  ): Promise<UserView>
  remove(actor: AuditActorFields, name: string): Promise<void>
  setRole(actor: AuditActorFields, name: string, role: Role): Promise<void>
}

export interface AuditApi {
  record(entry: NewAuditEntry): Promise<void>
  list(input: ListAuditInput): Promise<AuditPage>
}

export interface PipelineChangesApi {
  create(
    caller: Caller,
    name: string,
    config: PipelineConfig,
    paused: boolean,
  ): Promise<PipelineView>
  update(caller: Caller, name: string, patch: PipelineConfigPatch): Promise<PipelineView>
  delete(caller: Caller, name: string): Promise<void>
  pause(caller: Caller, name: string): Promise<PipelineView>
  resume(caller: Caller, name: string): Promise<PipelineView>
  flush(caller: Caller, name: string): Promise<FlushResult>
}

export interface FailureChangesApi {
  retry(
    caller: Caller,
    input: {
      ids: readonly string[]
      params?: readonly unknown[] | undefined
      allowOutcomeUnknown: boolean
    },
  ): Promise<RetryReport>
  retryAll(caller: Caller, filter: FailureFilter): Promise<RetryReport>
  discard(caller: Caller, ids: readonly string[]): Promise<number>
  discardAll(caller: Caller, filter: FailureFilter): Promise<number>
}

/** Everything about access a tRPC call can reach. */
export interface AccessServices {
  readonly auth: AuthApi
  readonly users: UsersApi
  readonly audit: AuditApi
  readonly pipelineChanges: PipelineChangesApi
  readonly failureChanges: FailureChangesApi
}
