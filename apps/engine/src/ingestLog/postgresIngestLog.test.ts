import { createTestDatabase } from '@sluice/test-database'
import { migrate } from '../database/migrations'
import { createLogger } from '../logger'
import { describeIngestLogContract } from './ingestLogContract'
import { PostgresIngestLog } from './postgresIngestLog'

describeIngestLogContract('PostgresIngestLog', async () => {
  const db = await createTestDatabase('ingest_log')
  await migrate(db.pool, createLogger('silent'))
  return {
    open: (settings) =>
      Promise.resolve(new PostgresIngestLog({ connectionString: db.url, ...settings })),
    dispose: () => db.drop(),
  }
})
