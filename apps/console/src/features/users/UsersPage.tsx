'use client'

import { addUserInputSchema, ROLES, type Role } from '@sluice/contract'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type SubmitEvent } from 'react'
import { ConfirmDialog } from '~/components/ConfirmDialog'
import { ErrorNotice } from '~/components/ErrorNotice'
import { fieldAria, FormError, FormField } from '~/components/FormField'
import { LoadingState } from '~/components/LoadingState'
import { LocalTime } from '~/components/LocalTime'
import { NoticeBar } from '~/components/NoticeBar'
import { useNotice } from '~/components/useNotice'
import { useCaller } from '~/features/auth/useCaller'
import { errorMessage } from '~/lib/errorMessage'
import { fieldErrors, type FieldErrors } from '~/lib/fieldErrors'
import { useTRPC } from '~/trpc/trpc'

/**
 * Local users, for admins: add one (name, role, password), change a role, remove one. Each
 * change is in the audit log; `npm run users` does the same from a shell.
 *
 * @example
 * <UsersPage />
 */
export function UsersPage() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const users = useQuery(trpc.users.list.queryOptions())
  const { caller } = useCaller()
  const { notice, notify, dismiss } = useNotice()
  const [draft, setDraft] = useState({ name: '', role: 'viewer' as Role, password: '' })
  const [errors, setErrors] = useState<FieldErrors>({})
  const [removing, setRemoving] = useState<string | null>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() })
  const failed = (error: unknown) => {
    notify(errorMessage(error), 'error')
  }
  const add = useMutation(
    trpc.users.add.mutationOptions({
      onSuccess: async (user) => {
        setDraft({ name: '', role: 'viewer', password: '' })
        await refresh()
        notify(`Added ${user.name} (${user.role}).`)
      },
      onError: (error) => {
        setErrors({ _form: errorMessage(error) })
      },
    }),
  )
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: async ({ name }) => {
        await refresh()
        notify(`Changed the role of ${name}.`)
      },
      onError: failed,
    }),
  )
  const remove = useMutation(
    trpc.users.remove.mutationOptions({
      onSuccess: async ({ removed }) => {
        setRemoving(null)
        await refresh()
        notify(`Removed ${removed}; their sessions ended.`)
      },
      onError: (error) => {
        setRemoving(null)
        failed(error)
      },
    }),
  )
  const submit = (event: SubmitEvent) => {
    event.preventDefault()
    const parsed = addUserInputSchema.safeParse(draft)
    setErrors(parsed.success ? {} : fieldErrors(parsed.error.issues))
    if (parsed.success) add.mutate(parsed.data)
  }
  const me = caller?.kind === 'user' ? caller.name : null

  return (
    <section aria-labelledby="users-title">
      <div className="page-header">
        <div>
          <h1 id="users-title">Users</h1>
          <p className="page-subtitle">
            Local users who sign in with a password. OpenID Connect users are not listed: their
            provider gives their role.
          </p>
        </div>
      </div>
      <NoticeBar notice={notice} onDismiss={dismiss} />
      <form className="panel form" onSubmit={submit} noValidate aria-label="Add a user">
        <div className="filters">
          <FormField id="user-name" label="User name" error={errors.name}>
            <input
              id="user-name"
              className="input"
              autoComplete="off"
              value={draft.name}
              onChange={(event) => setDraft({ ...draft, name: event.target.value })}
              {...fieldAria('user-name', errors.name)}
            />
          </FormField>
          <FormField id="user-role" label="Role">
            <select
              id="user-role"
              className="input"
              value={draft.role}
              onChange={(event) => setDraft({ ...draft, role: event.target.value as Role })}
            >
              {ROLES.map((role) => (
                <option key={role}>{role}</option>
              ))}
            </select>
          </FormField>
          <FormField id="user-password" label="Password" error={errors.password}>
            <input
              id="user-password"
              type="password"
              className="input"
              autoComplete="new-password"
              value={draft.password}
              onChange={(event) => setDraft({ ...draft, password: event.target.value })}
              {...fieldAria('user-password', errors.password)}
            />
          </FormField>
        </div>
        <FormError error={errors._form} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={add.isPending}>
            Add user
          </button>
        </div>
      </form>
      {users.isPending ? (
        <LoadingState label="Loading users" />
      ) : users.isError ? (
        <ErrorNotice error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Users" data-keyboard-rows>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.name} data-testid={`user-row-${user.name}`}>
                  <th scope="row">{user.name}</th>
                  <td>
                    <select
                      className="input"
                      aria-label={`Role of ${user.name}`}
                      value={user.role}
                      disabled={user.name === me || setRole.isPending}
                      onChange={(event) =>
                        setRole.mutate({ name: user.name, role: event.target.value as Role })
                      }
                    >
                      {ROLES.map((role) => (
                        <option key={role}>{role}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <LocalTime value={user.createdAt} />
                  </td>
                  <td>{user.lastSignInAt ? <LocalTime value={user.lastSignInAt} /> : 'never'}</td>
                  <td>
                    {user.name === me ? (
                      <span className="cell-sub">you</span>
                    ) : (
                      <button
                        type="button"
                        className="button button-small button-danger-outline"
                        onClick={() => setRemoving(user.name)}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing ?? ''}?`}
        confirmLabel="Remove"
        danger
        busy={remove.isPending}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ name: removing })
        }}
      >
        <p>They can no longer sign in, and their sessions end now.</p>
      </ConfirmDialog>
    </section>
  )
}
