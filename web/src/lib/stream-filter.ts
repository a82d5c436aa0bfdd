import type { WireEvent } from '@protocol';
import { searchableText, viewCategory, type ViewCategory } from './event-view.ts';
import { textMatcher } from './search.ts';

/** The stream's filters as the person set them. */
export interface StreamFilters {
  categories: ReadonlySet<ViewCategory>;
  /** Agent chips: when any, only their rows. */
  agents: ReadonlySet<string>;
  /** When set, only that ADW's rows. */
  adw?: string;
  search: string;
}

/** Whether a row passes the filters; `agentName` looks its agent up (search matches names too). */
export function streamPredicate(
  filters: StreamFilters,
  agentName: (event: WireEvent) => string | undefined,
): (event: WireEvent) => boolean {
  const categories = new Set(filters.categories);
  const agents = new Set(filters.agents);
  const adw = filters.adw;
  const matcher = textMatcher(filters.search);
  return (event) => {
    const category = viewCategory(event);
    if (!category || !categories.has(category)) return false;
    if (agents.size > 0 && !(event.agentId && agents.has(event.agentId))) return false;
    if (adw && event.adwId !== adw) return false;
    return matcher.mode === 'all' || matcher.test(searchableText(event, agentName(event)));
  };
}
