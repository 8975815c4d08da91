import { pythonFloatRepr } from './python-text.ts';

/*
 * A small Prometheus registry: counters, gauges and fixed-bucket histograms with labels,
 * written in text exposition format 0.0.4. The output follows the reference's
 * prometheus_client 0.15 (counters exposed as `<name>_total` with HELP/TYPE on that name,
 * values in Go float form such as "1.0", `le` as the last label), so dashboards built for
 * the reference keep working. Not emitted: prometheus_client's `_created` samples.
 *
 * Label cardinality is bounded: each metric keeps at most `maxSeriesPerMetric` label sets
 * (default 1000). Further label sets are folded into one overflow series whose label values
 * are all "__overflow__", so a flood of distinct values (say, attacker-chosen addresses
 * used as labels by mistake) costs bounded memory and stays visible in the output.
 */

/** Label values by label name; every declared label must be given, no others. */
export type Labels = Readonly<Record<string, string>>;

/** Content-Type of the exposition. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** prometheus_client's default histogram buckets (seconds); +Inf is implicit. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Label value given to every label of the overflow series. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';

/** Registration options shared by all metric kinds. */
export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/** Options of a histogram: strictly increasing finite upper bounds. */
export interface HistogramOptions extends MetricOptions {
  readonly buckets?: readonly number[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One labelled series of a counter. */
export interface CounterSeries {
  /** Adds `amount` (default 1; must be >= 0). */
  inc(amount?: number): void;
}

/** One labelled series of a gauge. */
export interface GaugeSeries {
  set(value: number): void;
  inc(amount?: number): void;
  dec(amount?: number): void;
}

/** One labelled series of a histogram. */
export interface HistogramSeries {
  observe(value: number): void;
}

class ValueSeries implements CounterSeries, GaugeSeries {
  value = 0;
  private readonly monotonic: boolean;

  constructor(monotonic: boolean) {
    this.monotonic = monotonic;
  }

  inc(amount = 1): void {
    if (this.monotonic && !(amount >= 0)) throw new RangeError('counters only go up');
    this.value += amount;
  }

  set(value: number): void {
    this.value = value;
  }

  dec(amount = 1): void {
    this.value -= amount;
  }
}

class BucketSeries implements HistogramSeries {
  readonly counts: number[];
  count = 0;
  sum = 0;
  private readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.count++;
    this.sum += value;
    // Upper bounds are inclusive (le); values above the last bound only count in +Inf.
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

/** Shared bookkeeping of a metric: label validation, series map, cardinality cap. */
abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { readonly values: readonly string[]; readonly s: S }>();
  private readonly maxSeries: number;
  private overflow: S | null = null;
  private overflowValues: readonly string[] = [];

  constructor(options: MetricOptions, maxSeries: number, reservedLabels: readonly string[]) {
    if (!METRIC_NAME.test(options.name)) throw new Error(`invalid metric name ${options.name}`);
    const labelNames = options.labelNames ?? [];
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || reservedLabels.includes(l)) throw new Error(`invalid label name ${l}`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`duplicate label name in ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
    this.maxSeries = maxSeries;
  }

  protected abstract create(): S;

  /** The series for these label values (created on first use, or the overflow series). */
  protected get(labels: Labels | undefined): S {
    const names = this.labelNames;
    if (names.length === 0) {
      if (labels !== undefined && Object.keys(labels).length > 0) throw new Error(`${this.name} has no labels`);
      return this.unlabelled();
    }
    if (labels === undefined || Object.keys(labels).length !== names.length) {
      throw new Error(`${this.name} needs labels ${names.join(', ')}`);
    }
    const values = names.map((n) => {
      const v = labels[n];
      if (typeof v !== 'string') throw new Error(`${this.name}: missing label ${n}`);
      return v;
    });
    const key = values.length === 1 ? values[0]! : JSON.stringify(values);
    const found = this.series.get(key);
    if (found !== undefined) return found.s;
    if (this.series.size >= this.maxSeries) {
      if (this.overflow === null) {
        this.overflow = this.create();
        this.overflowValues = names.map(() => OVERFLOW_LABEL_VALUE);
      }
      return this.overflow;
    }
    const s = this.create();
    this.series.set(key, { values, s });
    return s;
  }

  /** The single series of a metric without labels, created on first use or exposition. */
  private unlabelled(): S {
    let entry = this.series.get('');
    if (entry === undefined) {
      entry = { values: [], s: this.create() };
      this.series.set('', entry);
    }
    return entry.s;
  }

  /** Forgets the series of these label values (e.g. a gauge for something now gone). */
  remove(labels: Labels): void {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    this.series.delete(values.length === 1 ? values[0]! : JSON.stringify(values));
  }

  /** Every series with its label values, the overflow series last. */
  protected all(): { readonly values: readonly string[]; readonly s: S }[] {
    // A metric without labels is exposed (as 0) before its first use, as prometheus_client does.
    if (this.labelNames.length === 0) this.unlabelled();
    const out = [...this.series.values()];
    if (this.overflow !== null) out.push({ values: this.overflowValues, s: this.overflow });
    return out;
  }

  abstract expose(): string;
}

/** A monotonically increasing counter, exposed as `<name>_total`. */
export class Counter extends Metric<ValueSeries> {
  protected create(): ValueSeries {
    return new ValueSeries(true);
  }

  /** The series for these labels; keep it to skip the lookup on hot paths. */
  labels(labels: Labels): CounterSeries {
    return this.get(labels);
  }

  /** Increments the unlabelled counter. */
  inc(amount = 1): void {
    this.get(undefined).inc(amount);
  }

  expose(): string {
    const name = this.name.endsWith('_total') ? this.name : `${this.name}_total`;
    let out = header(name, this.help, 'counter');
    for (const { values, s } of this.all()) out += sample(name, this.labelNames, values, null, s.value);
    return out;
  }
}

/** A gauge: a value that goes up and down. */
export class Gauge extends Metric<ValueSeries> {
  protected create(): ValueSeries {
    return new ValueSeries(false);
  }

  /** The series for these labels. */
  labels(labels: Labels): GaugeSeries {
    return this.get(labels);
  }

  /** Sets the unlabelled gauge. */
  set(value: number): void {
    this.get(undefined).set(value);
  }

  expose(): string {
    let out = header(this.name, this.help, 'gauge');
    for (const { values, s } of this.all()) out += sample(this.name, this.labelNames, values, null, s.value);
    return out;
  }
}

/** A histogram with fixed buckets (`_bucket{le=...}` cumulative, `_count`, `_sum`). */
export class Histogram extends Metric<BucketSeries> {
  private readonly bounds: readonly number[];

  constructor(options: HistogramOptions, maxSeries: number) {
    const bounds = options.buckets ?? DEFAULT_BUCKETS;
    for (let i = 0; i < bounds.length; i++) {
      if (!Number.isFinite(bounds[i]!) || (i > 0 && !(bounds[i]! > bounds[i - 1]!))) {
        throw new Error(`histogram ${options.name}: buckets must be finite and strictly increasing`);
      }
    }
    super(options, maxSeries, ['le']);
    this.bounds = bounds;
  }

  protected create(): BucketSeries {
    return new BucketSeries(this.bounds);
  }

  /** The series for these labels. */
  labels(labels: Labels): HistogramSeries {
    return this.get(labels);
  }

  /** Observes a value on the unlabelled histogram. */
  observe(value: number): void {
    this.get(undefined).observe(value);
  }

  expose(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const { values, s } of this.all()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        out += sample(`${this.name}_bucket`, this.labelNames, values, goFloat(this.bounds[i]!), cumulative);
      }
      out += sample(`${this.name}_bucket`, this.labelNames, values, '+Inf', s.count);
      out += sample(`${this.name}_count`, this.labelNames, values, null, s.count);
      out += sample(`${this.name}_sum`, this.labelNames, values, null, s.sum);
    }
    return out;
  }
}

/** Options of a registry. */
export interface RegistryOptions {
  /** Label sets kept per metric before folding into the overflow series (default 1000). */
  readonly maxSeriesPerMetric?: number;
}

/** A set of metrics exposed together, in registration order. */
export class MetricsRegistry {
  private readonly metrics: Metric<unknown>[] = [];
  private readonly names = new Set<string>();
  private readonly collectors: (() => void)[] = [];
  private readonly maxSeries: number;

  constructor(options: RegistryOptions = {}) {
    this.maxSeries = options.maxSeriesPerMetric ?? 1000;
  }

  private add<M extends Metric<unknown>>(metric: M): M {
    const base = metric.name.replace(/_total$/, '');
    if (this.names.has(base)) throw new Error(`metric ${metric.name} registered twice`);
    this.names.add(base);
    this.metrics.push(metric);
    return metric;
  }

  /** Registers a counter. */
  counter(options: MetricOptions): Counter {
    return this.add(new Counter(options, this.maxSeries, []));
  }

  /** Registers a gauge. */
  gauge(options: MetricOptions): Gauge {
    return this.add(new Gauge(options, this.maxSeries, []));
  }

  /** Registers a histogram. */
  histogram(options: HistogramOptions): Histogram {
    return this.add(new Histogram(options, this.maxSeries));
  }

  /** Runs `fn` before every exposition, e.g. to set gauges computed from the store. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  /** The text exposition (format 0.0.4). */
  expose(): string {
    for (const fn of this.collectors) fn();
    let out = '';
    for (const m of this.metrics) out += m.expose();
    return out;
  }
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n# TYPE ${name} ${type}\n`;
}

function escapeLabelValue(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

function sample(name: string, labelNames: readonly string[], values: readonly string[], le: string | null, value: number): string {
  const parts: string[] = [];
  for (let i = 0; i < labelNames.length; i++) parts.push(`${labelNames[i]}="${escapeLabelValue(values[i]!)}"`);
  if (le !== null) parts.push(`le="${le}"`);
  const labels = parts.length === 0 ? '' : `{${parts.join(',')}}`;
  return `${name}${labels} ${goFloat(value)}\n`;
}

/**
 * prometheus_client's floatToGoString: Python's float repr ("1.0", "0.005"), +Inf / -Inf /
 * NaN, and positive values with more than six integer digits in exponent form
 * ("1.234567e+06"), as Go writes them.
 */
export function goFloat(d: number): string {
  if (d === Infinity) return '+Inf';
  if (d === -Infinity) return '-Inf';
  if (Number.isNaN(d)) return 'NaN';
  const s = pythonFloatRepr(d);
  const dot = s.indexOf('.');
  if (d > 0 && dot > 6) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return s;
}
