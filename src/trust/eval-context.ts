/**
 * What a predicate is evaluated against: a node's tags and metadata, indexed once so each leaf is one Map
 * probe instead of a scan of the tag list. Lookup semantics are the reference's string rules: a value leaf on
 * `axis.key` reads the first tag (in the given order) that is `axis.key=` or `axis.key:` followed by the value;
 * `exists` also accepts the bare `axis.key`.
 */

export class EvalContext {
  /** `axis.key` prefix → value of the first tag that continues it with `=` or `:`. */
  private readonly values = new Map<string, string>();
  private readonly present = new Set<string>();
  readonly metadata: ReadonlyMap<string, string>;

  constructor(readonly tags: readonly string[], metadata: Readonly<Record<string, string>> | ReadonlyMap<string, string>) {
    for (const t of tags) {
      this.present.add(t);
      // Index every prefix that ends right before a separator: keys may themselves contain `=` or `:`.
      for (let i = t.indexOf('.'); i >= 0 && i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c !== 0x3d && c !== 0x3a) continue;
        const prefix = t.slice(0, i);
        if (!this.values.has(prefix)) this.values.set(prefix, t.slice(i + 1));
      }
    }
    this.metadata = metadata instanceof Map ? metadata : new Map(Object.entries(metadata));
  }

  /** True when a tag `axisKey`, `axisKey=…` or `axisKey:…` is present. */
  has(axisKey: string): boolean {
    return this.present.has(axisKey) || this.values.has(axisKey);
  }

  value(axisKey: string): string | undefined {
    return this.values.get(axisKey);
  }

  hasTag(tag: string): boolean {
    return this.present.has(tag);
  }
}
