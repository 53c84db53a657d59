// Type declarations for theme-loader.js (the ThemeSystem consumer loader).

export interface ThemeLoadOptions {
  /** The theme's id (a UUID, from theme.toml). */
  themeId: string;
  /** "latest" follows every release; "X.Y.Z" pins one release, checked with SRI. */
  version: "latest" | `${number}.${number}.${number}` | (string & {});
  /** Public base of the published themes, e.g. https://BUCKET.REGION.cdn.digitaloceanspaces.com */
  cdnBase: string;
  /** The ThemeSystem API (e.g. https://api.example.com): the SRI of a pinned version, and view counts. */
  apiBase?: string;
  /** The pinned version's SRI (sha384-...), when it is not looked up through apiBase. */
  integrity?: string;
  /** How long views wait to be sent together (ms, default 5000); they also go when the page is hidden. */
  flushMs?: number;
}

export interface ThemeSystemLoader {
  /**
   * Load the theme's stylesheet into <link id="theme-<themeId>">. The new sheet is added beside the
   * current one and the current one is removed only once the new one applied, so no frame is unstyled.
   * Rejects (and keeps the current sheet) on a network error, an HTTP error, an SRI mismatch, a pinned
   * version without SRI, or when a later load() call superseded this one.
   */
  load(options: ThemeLoadOptions): Promise<HTMLLinkElement>;
  /** Send the views still queued now (navigator.sendBeacon). */
  flush(): void;
}

declare global {
  interface Window {
    ThemeSystem: ThemeSystemLoader;
  }
  const ThemeSystem: ThemeSystemLoader;
}
