/** A small history router under /dashboard: the gateway answers every path below it with index.html. */
import { useEffect, useState } from "preact/hooks";

const BASE = "/dashboard";

export function navigate(path: string): void {
  history.pushState(null, "", `${BASE}${path}`);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** The path below /dashboard with its query string: a link to the same page with other parameters is a new page. */
export function usePath(): string {
  const read = () => (location.pathname.slice(BASE.length) || "/") + location.search;
  const [path, setPath] = useState(read);
  useEffect(() => {
    const onPop = () => setPath(read());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  return path;
}
