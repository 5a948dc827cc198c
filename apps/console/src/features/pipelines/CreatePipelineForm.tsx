'use client'

import { createPipelineInputSchema } from '@sluice/contract'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type SubmitEvent } from 'react'
import { fieldAria, FormError, FormField } from '~/components/FormField'
import { errorMessage } from '~/lib/errorMessage'
import { checkForm, placeErrors, type FieldErrors } from '~/lib/fieldErrors'
import { useTRPC } from '~/trpc/trpc'
import { ConfigFields } from './ConfigFields'
import { configFieldPaths, configToForm, formToConfigInput } from './configForm'

/** Fields this form shows; errors for any other path go to the form's own message. */
const shownFields = ['name', ...Object.values(configFieldPaths)]

/**
 * The engine's answer as field errors: its own zod issues by path when it sent them, a taken
 * name next to the name, anything else for the whole form.
 */
function serverErrors(error: unknown): FieldErrors {
  const data = (error as { data?: { code?: unknown; fieldErrors?: unknown } | null } | null)?.data
  if (data?.fieldErrors && typeof data.fieldErrors === 'object') {
    return Object.fromEntries(
      Object.entries(data.fieldErrors as Record<string, unknown>).map(([path, message]) => [
        path,
        String(message),
      ]),
    )
  }
  return data?.code === 'CONFLICT' ? { name: errorMessage(error) } : { _form: errorMessage(error) }
}

/**
 * The "new pipeline" form. It validates with the engine's own `createPipelineInputSchema`
 * before sending, so each mistake shows next to its field; the engine's answer (say, a name
 * already taken) shows the same way.
 *
 * @example
 * <CreatePipelineForm onCreated={(name) => setNotice(`Created ${name}`)} onCancel={close} />
 */
export function CreatePipelineForm({
  onCreated,
  onCancel,
}: {
  onCreated: (name: string) => void
  onCancel: () => void
}) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const [paused, setPaused] = useState(false)
  const [values, setValues] = useState(() => configToForm())
  const [errors, setErrors] = useState<FieldErrors>({})

  const create = useMutation(
    trpc.pipelines.create.mutationOptions({
      onSuccess: async (_created, input) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() })
        onCreated(input.name)
      },
      onError: (error) => {
        setErrors(placeErrors(serverErrors(error), shownFields))
      },
    }),
  )

  const submit = (event: SubmitEvent) => {
    event.preventDefault()
    const checked = checkForm(
      createPipelineInputSchema,
      { name: name.trim(), config: formToConfigInput(values), paused },
      shownFields,
    )
    setErrors(checked.success ? {} : checked.errors)
    if (checked.success) create.mutate(checked.data)
  }

  return (
    <form
      className="panel form"
      onSubmit={submit}
      noValidate
      aria-labelledby="create-pipeline-title"
      data-testid="create-pipeline-form"
    >
      <h2 id="create-pipeline-title" className="panel-title">
        New pipeline
      </h2>
      <FormField
        id="create-name"
        label="Name"
        error={errors.name}
        hint='Letters, digits, "_" and "-"; used in the ingest URL.'
      >
        <input
          id="create-name"
          name="name"
          className="input"
          autoComplete="off"
          value={name}
          onChange={(event) => {
            setName(event.target.value)
          }}
          {...fieldAria('create-name', errors.name, 'hint')}
        />
      </FormField>
      <ConfigFields idPrefix="create" values={values} errors={errors} onChange={setValues} />
      <div className="field field-checkbox">
        <input
          id="create-paused"
          type="checkbox"
          checked={paused}
          onChange={(event) => {
            setPaused(event.target.checked)
          }}
        />
        <label htmlFor="create-paused">Start paused</label>
      </div>
      <FormError error={errors._form} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create pipeline'}
        </button>
      </div>
    </form>
  )
}
