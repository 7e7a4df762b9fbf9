/**
 * Builds a value from a provider and rebuilds it only when the provider changes. The metrics API
 * has no proxy meter, so instruments created before the SDK registers its global MeterProvider
 * would stay no-ops forever; re-resolving on identity change keeps them live at the cost of one
 * lookup and comparison per call.
 */
export function memoizeByProvider<P, V>(getProvider: () => P, build: (provider: P) => V): () => V {
  let cachedProvider: P | undefined;
  let cachedValue: V | undefined;
  let built = false;
  return () => {
    const provider = getProvider();
    if (!built || provider !== cachedProvider) {
      cachedValue = build(provider);
      cachedProvider = provider;
      built = true;
    }
    return cachedValue as V;
  };
}
