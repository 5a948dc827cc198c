// @sluice/test-database declares the `testDatabaseUrl` it provides to tests in its global set-up
// module; importing its types makes that declaration visible when this package is typechecked.
import type {} from '@sluice/test-database/global-setup'
