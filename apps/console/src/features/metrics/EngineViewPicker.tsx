'use client'

/**
 * Chooses whose numbers the charts show: the whole cluster, or one engine of it.
 *
 * @example
 * <EngineViewPicker engines={['engine-1', 'engine-2']} value={engine} onChange={setEngine} />
 */
export function EngineViewPicker({
  engines,
  value,
  onChange,
}: {
  engines: readonly string[]
  value: string | undefined
  onChange: (engine: string | undefined) => void
}) {
  return (
    <label className="inline-field">
      <span>Show</span>
      <select
        className="input"
        aria-label="Metrics of"
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
      >
        <option value="">
          Whole cluster ({engines.length === 1 ? '1 engine' : `${String(engines.length)} engines`})
        </option>
        {engines.map((engine) => (
          <option key={engine} value={engine}>
            Engine {engine}
          </option>
        ))}
      </select>
    </label>
  )
}
