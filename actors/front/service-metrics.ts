import { type Counter, type Gauge, type Histogram, MetricsRegistry } from '../../src/http/index.ts';

/**
 * The service's Prometheus metrics (README "Metrics"). Request counters and latency
 * histograms are labelled by the route *pattern* (never the raw URL), so the number of
 * series stays bounded whatever clients send.
 */
export class ServiceMetrics {
  readonly registry = new MetricsRegistry();
  readonly requests: Counter;
  readonly latency: Histogram;
  readonly searchSeconds: Histogram;
  readonly searchOutcomes: Counter;
  readonly queueDepth: Gauge;
  readonly queueLimit: Gauge;
  readonly rejectedOverload: Counter;
  readonly input: Counter;
  readonly snapshotAge: Gauge;
  readonly networkChannels: Gauge;
  readonly reachableAddresses: Gauge;
  readonly confirmedBlock: Gauge;
  readonly ready: Gauge;
  readonly feedback: Counter;
  readonly feedbackRows: Gauge;
  readonly suggestSeconds: Histogram;
  readonly suggestOutcomes: Counter;
  readonly iouClaims: Gauge;
  readonly iouClaimsToken: Gauge;

  constructor() {
    const r = this.registry;
    this.requests = r.counter({ name: 'pfs_http_requests', help: 'HTTP requests answered, by route pattern, method and status.', labelNames: ['endpoint', 'method', 'status'] });
    this.latency = r.histogram({
      name: 'pfs_http_request_duration_seconds',
      help: 'Time from request start to the answer being written, by route pattern.',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    });
    this.searchSeconds = r.histogram({
      name: 'pfs_route_search_seconds',
      help: 'Time one route search took in a pool worker.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    });
    this.searchOutcomes = r.counter({ name: 'pfs_route_searches', help: 'Route searches by outcome (routes, no_route, budget_exhausted, expired).', labelNames: ['outcome'] });
    this.queueDepth = r.gauge({ name: 'pfs_pool_queue_depth', help: 'Path requests waiting for a pool worker.' });
    this.queueLimit = r.gauge({ name: 'pfs_pool_queue_limit', help: 'Queued path requests beyond which requests get 503 (--queue-limit).' });
    this.rejectedOverload = r.counter({ name: 'pfs_http_overload_rejections', help: 'Requests answered 503 because the pool queue was full or the deadline passed.', labelNames: ['reason'] });
    this.input = r.counter({
      name: 'pfs_input_events',
      help: 'Input handled by the ingress and shards, by kind (line, block, channel_opened, presence, capacity_update, ...) and outcome (applied, deferred, rejected_<reason>, ...).',
      labelNames: ['kind', 'outcome'],
    });
    this.snapshotAge = r.gauge({ name: 'pfs_snapshot_age_seconds', help: 'Seconds since the newest topology generation of a token network was published.', labelNames: ['token_network'] });
    this.networkChannels = r.gauge({ name: 'pfs_token_network_channels', help: 'Open channels per token network.', labelNames: ['token_network'] });
    this.reachableAddresses = r.gauge({ name: 'pfs_reachable_addresses', help: 'Addresses whose Matrix presence makes them reachable.' });
    this.confirmedBlock = r.gauge({ name: 'pfs_confirmed_block', help: 'Highest confirmed block applied.' });
    this.ready = r.gauge({ name: 'pfs_ready', help: '1 once every configured input source has caught up.' });
    this.feedback = r.counter({
      name: 'pfs_feedback',
      help: 'Route feedback received, by outcome: accepted (stored), repeated (answered 200, the route had feedback already), rejected (400: unknown token or route, or older than 10 minutes).',
      labelNames: ['outcome'],
    });
    this.feedbackRows = r.gauge({ name: 'pfs_feedback_rows', help: 'Feedback rows (returned routes) retained in the bounded feedback table.' });
    this.suggestSeconds = r.histogram({
      name: 'pfs_suggest_partner_seconds',
      help: 'Time one suggest_partner computation (centrality search) took in a pool worker; cached answers are not counted.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    });
    this.suggestOutcomes = r.counter({ name: 'pfs_suggest_partner_computations', help: 'suggest_partner computations by outcome (suggested, budget_exhausted).', labelNames: ['outcome'] });
    // the reference's names and semantics: computed from the IOU ledger at each scrape,
    // only for iou_status="successful" (the claims that `pfs claim-fees` saw mined)
    this.iouClaims = r.gauge({ name: 'economics_iou_claims_total', help: 'The number of overall IOU claims', labelNames: ['iou_status'] });
    this.iouClaimsToken = r.gauge({ name: 'economics_iou_claims_token_total', help: 'The amount of overall IOU token claimed', labelNames: ['iou_status'] });
  }

  /** Adds ingress/shard counts keyed `kind:outcome`. */
  addInputCounts(counts: Readonly<Record<string, number>>): void {
    for (const [key, n] of Object.entries(counts)) {
      const colon = key.indexOf(':');
      const kind = colon < 0 ? key : key.slice(0, colon);
      const outcome = colon < 0 ? 'handled' : key.slice(colon + 1);
      this.input.labels({ kind, outcome }).inc(n);
    }
  }
}
