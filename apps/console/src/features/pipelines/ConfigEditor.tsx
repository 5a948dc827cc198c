'use client'

import type { PipelineView } from '@sluice/contract'
import { updatePipelineInputSchema } from '@sluice/contract'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type SubmitEvent } from 'react'
import { FormError } from '~/components/FormField'
import type { Notify } from '~/components/useNotice'
import { errorMessage } from '~/lib/errorMessage'
import { checkForm, type FieldErrors } from '~/lib/fieldErrors'
import { useCaller } from '~/features/auth/useCaller'
import { useTRPC } from '~/trpc/trpc'
import { ConfigFields } from './ConfigFields'
import { configFieldPaths, configToForm, formToPatch, type ConfigFormValues } from './configForm'

interface ConfigEditorProps {
  pipeline: PipelineView
  onNotice: Notify
}

/** Fields this form shows; errors for any other path go to the form's own message. */
const shownFields = Object.values(configFieldPaths)

/**
 * Edits a running pipeline's configuration. Only changed fields are sent, validated first by
 * the engine's `updatePipelineInputSchema`; the engine applies them live without losing queued
 * queries. While the form is untouched it follows the engine's current config.
 *
 * @example
 * <ConfigEditor pipeline={pipeline} onNotice={notify} />
 */
export function ConfigEditor({ pipeline, onNotice }: ConfigEditorProps) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const editable = useCaller().can('admin')
  const serverValues = configToForm(pipeline.config)
  const [draft, setDraft] = useState<{ base: ConfigFormValues; values: ConfigFormValues } | null>(
    null,
  )
  const [errors, setErrors] = useState<FieldErrors>({})
  // Untouched, the form shows what the engine runs now; once edited, it keeps the operator's draft.
  const base = draft?.base ?? serverValues
  const values = draft?.values ?? serverValues
  const patch = formToPatch(base, values)
  const dirty = Object.keys(patch).length > 0

  const update = useMutation(
    trpc.pipelines.update.mutationOptions({
      onSuccess: async () => {
        setDraft(null)
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() })
        onNotice(`Applied to ${pipeline.name} live: ${describePatch(patch)}.`)
      },
      onError: (error) => {
        setErrors({ _form: errorMessage(error) })
      },
    }),
  )

  const submit = (event: SubmitEvent) => {
    event.preventDefault()
    const checked = checkForm(
      updatePipelineInputSchema,
      { name: pipeline.name, config: patch },
      shownFields,
    )
    setErrors(checked.success ? {} : checked.errors)
    if (checked.success) update.mutate(checked.data)
  }

  return (
    <form
      className="panel form"
      onSubmit={submit}
      noValidate
      aria-labelledby="config-title"
      data-testid="config-editor"
    >
      <div className="panel-header">
        <h2 id="config-title" className="panel-title">
          Configuration
        </h2>
        <span className="cell-sub">
          {editable ? 'changes apply live; queued queries are kept' : 'only admins can change it'}
        </span>
      </div>
      <fieldset disabled={!editable} className="fieldset-plain">
        <ConfigFields
          idPrefix="edit"
          values={values}
          errors={errors}
          onChange={(next) => {
            setDraft({ base, values: next })
          }}
        />
      </fieldset>
      <FormError error={errors._form} />
      {editable ? (
        <div className="form-actions">
          <span className="form-status" aria-live="polite">
            {dirty ? 'Unsaved changes' : 'Up to date with the engine'}
          </span>
          <button
            type="button"
            className="button"
            disabled={!dirty || update.isPending}
            onClick={() => {
              setDraft(null)
              setErrors({})
            }}
          >
            Discard changes
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={!dirty || update.isPending}
          >
            {update.isPending ? 'Applying…' : 'Apply changes'}
          </button>
        </div>
      ) : null}
    </form>
  )
}

/** "batchSize 5, retry.maxAttempts 4", for the confirmation notice. */
function describePatch(patch: Record<string, unknown>, prefix = ''): string {
  return Object.entries(patch)
    .map(([key, value]) =>
      value !== null && typeof value === 'object'
        ? describePatch(value as Record<string, unknown>, `${prefix}${key}.`)
        : `${prefix}${key} ${String(value)}`,
    )
    .join(', ')
}
