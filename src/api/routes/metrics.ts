// GET /metrics: Prometheus' text format (src/services/metrics-*.ts), for a scraper's bearer token. Outside every
// subscription, so only a role assigned at `/` reaches it (Owner, Reader, Monitoring Reader).
import { EventMetrics } from '../../services/metrics-events.ts';
import { scrapeMetrics } from '../../services/metrics-scrape.ts';
import type { Router } from '../router.ts';

export const METRICS_PATH = '/metrics';

export function registerMetricsRoutes(router: Router): void {
  router.add('GET', METRICS_PATH, async (req) => {
    const { contentType, text } = await scrapeMetrics(req.ctx, req.ctx.metrics ?? new EventMetrics());
    return { status: 200, text: { contentType, payload: text } };
  }, 'none');
}
