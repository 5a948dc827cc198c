import base from '@sluice/eslint-config/base'

export default [...base]
