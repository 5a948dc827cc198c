import base from '@sluice/eslint-config/base'

export default [...base, { ignores: ['test-results/**', 'playwright-report/**', 'screenshots/**'] }]
