import { proxyToEngine } from '~/server/engineProxy'

// Every call is live data: never cache, never prerender.
export const dynamic = 'force-dynamic'

interface RouteContext {
  params: Promise<{ trpc: string }>
}

async function handle(request: Request, context: RouteContext): Promise<Response> {
  const { trpc } = await context.params
  return proxyToEngine(request, trpc)
}

export { handle as GET, handle as POST }
