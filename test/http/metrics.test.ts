import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METRICS_CONTENT_TYPE, MetricsRegistry, OVERFLOW_LABEL_VALUE } from '../../src/http/index.ts';
import { goFloat } from '../../src/http/metrics.ts';

describe('Prometheus text exposition 0.0.4', () => {
  it('counters: <name>_total, labels, Go float values; unlabelled ones start at 0', () => {
    const reg = new MetricsRegistry();
    const errors = reg.counter({ name: 'events_log_errors', help: 'Errors while processing events', labelNames: ['error_category'] });
    const plain = reg.counter({ name: 'requests_total', help: 'All requests' });
    errors.labels({ error_category: 'blockchain' }).inc();
    errors.labels({ error_category: 'blockchain' }).inc(2);
    errors.labels({ error_category: 'state' }).inc();
    assert.equal(
      reg.expose(),
      '# HELP events_log_errors_total Errors while processing events\n' +
        '# TYPE events_log_errors_total counter\n' +
        'events_log_errors_total{error_category="blockchain"} 3.0\n' +
        'events_log_errors_total{error_category="state"} 1.0\n' +
        '# HELP requests_total All requests\n' +
        '# TYPE requests_total counter\n' +
        'requests_total 0.0\n',
    );
    plain.inc();
    assert.match(reg.expose(), /\nrequests_total 1\.0\n$/);
    assert.throws(() => plain.inc(-1), RangeError);
  });

  it('gauges go up and down and can forget a series', () => {
    const reg = new MetricsRegistry();
    const g = reg.gauge({ name: 'economics_iou_claims', help: 'IOU claims', labelNames: ['iou_status'] });
    g.labels({ iou_status: 'claimed' }).set(5);
    g.labels({ iou_status: 'claimed' }).dec(2);
    g.labels({ iou_status: 'open' }).inc(0.5);
    assert.equal(
      reg.expose(),
      '# HELP economics_iou_claims IOU claims\n# TYPE economics_iou_claims gauge\n' +
        'economics_iou_claims{iou_status="claimed"} 3.0\neconomics_iou_claims{iou_status="open"} 0.5\n',
    );
    g.remove({ iou_status: 'open' });
    assert.doesNotMatch(reg.expose(), /open/);
  });

  it('histograms: cumulative le buckets (le last), +Inf, _count, _sum', () => {
    const reg = new MetricsRegistry();
    const h = reg.histogram({ name: 'events_processing_duration_seconds', help: 'Time', labelNames: ['event_type'], buckets: [0.1, 1, 2.5] });
    const s = h.labels({ event_type: 'Block' });
    for (const v of [0.05, 0.1, 0.5, 3, 1]) s.observe(v);
    assert.equal(
      reg.expose(),
      '# HELP events_processing_duration_seconds Time\n# TYPE events_processing_duration_seconds histogram\n' +
        'events_processing_duration_seconds_bucket{event_type="Block",le="0.1"} 2.0\n' +
        'events_processing_duration_seconds_bucket{event_type="Block",le="1.0"} 4.0\n' +
        'events_processing_duration_seconds_bucket{event_type="Block",le="2.5"} 4.0\n' +
        'events_processing_duration_seconds_bucket{event_type="Block",le="+Inf"} 5.0\n' +
        'events_processing_duration_seconds_count{event_type="Block"} 5.0\n' +
        'events_processing_duration_seconds_sum{event_type="Block"} 4.65\n',
    );
  });

  it('default buckets and an unlabelled histogram', () => {
    const reg = new MetricsRegistry();
    const h = reg.histogram({ name: 'search_seconds', help: 'h' });
    h.observe(0.003);
    const text = reg.expose();
    assert.match(text, /search_seconds_bucket\{le="0.005"\} 1.0\n/);
    assert.match(text, /search_seconds_bucket\{le="10.0"\} 1.0\n/);
    assert.match(text, /search_seconds_bucket\{le="\+Inf"\} 1.0\nsearch_seconds_count 1.0\nsearch_seconds_sum 0.003\n$/);
  });

  it('escapes HELP text and label values', () => {
    const reg = new MetricsRegistry();
    const c = reg.counter({ name: 'x', help: 'back\\slash\nnewline', labelNames: ['l'] });
    c.labels({ l: 'a"b\\c\nd' }).inc();
    assert.equal(reg.expose(), '# HELP x_total back\\\\slash\\nnewline\n# TYPE x_total counter\nx_total{l="a\\"b\\\\c\\nd"} 1.0\n');
  });

  it('caps label sets per metric and folds the rest into an overflow series', () => {
    const reg = new MetricsRegistry({ maxSeriesPerMetric: 3 });
    const c = reg.counter({ name: 'by_sender', help: 'h', labelNames: ['sender', 'kind'] });
    for (let i = 0; i < 10; i++) c.labels({ sender: `s${i}`, kind: 'k' }).inc();
    c.labels({ sender: 's0', kind: 'k' }).inc(); // an existing set still counts on its own series
    const lines = reg.expose().split('\n').filter((l) => l.startsWith('by_sender_total'));
    assert.deepEqual(lines, [
      'by_sender_total{sender="s0",kind="k"} 2.0',
      'by_sender_total{sender="s1",kind="k"} 1.0',
      'by_sender_total{sender="s2",kind="k"} 1.0',
      `by_sender_total{sender="${OVERFLOW_LABEL_VALUE}",kind="${OVERFLOW_LABEL_VALUE}"} 7.0`,
    ]);
  });

  it('collect hooks run before each exposition', () => {
    const reg = new MetricsRegistry();
    const g = reg.gauge({ name: 'online_nodes', help: 'h' });
    let n = 0;
    reg.onCollect(() => g.set(++n));
    assert.match(reg.expose(), /online_nodes 1\.0/);
    assert.match(reg.expose(), /online_nodes 2\.0/);
  });

  it('refuses bad names, bad labels and duplicate registrations (programming errors)', () => {
    const reg = new MetricsRegistry();
    assert.throws(() => reg.counter({ name: '1bad', help: 'h' }));
    assert.throws(() => reg.counter({ name: 'ok', help: 'h', labelNames: ['__reserved'] }));
    assert.throws(() => reg.counter({ name: 'ok2', help: 'h', labelNames: ['a', 'a'] }));
    assert.throws(() => reg.histogram({ name: 'h', help: 'h', labelNames: ['le'] }));
    assert.throws(() => reg.histogram({ name: 'h2', help: 'h', buckets: [1, 1] }));
    reg.counter({ name: 'dup', help: 'h' });
    assert.throws(() => reg.counter({ name: 'dup_total', help: 'h' }));
    const c = reg.counter({ name: 'lab', help: 'h', labelNames: ['a'] });
    assert.throws(() => c.labels({}));
    assert.throws(() => c.labels({ b: 'x' }));
    assert.throws(() => c.inc());
  });

  it('Go float formatting as prometheus_client writes it', () => {
    assert.equal(goFloat(1), '1.0');
    assert.equal(goFloat(0.005), '0.005');
    assert.equal(goFloat(1234567), '1.234567e+06');
    assert.equal(goFloat(123456), '123456.0');
    assert.equal(goFloat(Infinity), '+Inf');
    assert.equal(goFloat(-Infinity), '-Inf');
    assert.equal(goFloat(NaN), 'NaN');
    assert.equal(METRICS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
  });
});
