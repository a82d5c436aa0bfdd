import {
  contentBlocks,
  reply,
  toolResultText,
  toolUse,
  type MessagesRequest,
  type Turn,
} from '../../../src/testing/fake-model-server/index.ts';
import type { SectionType } from '../protocol.ts';
import { homeToolNames } from './home-tools.ts';

/**
 * Nile's scripted model: what the home-page agent's model answers when there is no API key, played by
 * baton's fake model server (`respond`). It reads the shopper's signals from the system prompt the
 * server built and follows the prompt's rules the simple way: find related products of the strongest
 * signals' categories and some new ones, then stream a slogan and three or four sections, one tool
 * call per turn, never a cart item. Labelled as scripted wherever it runs.
 */

const [findTool, streamTool] = homeToolNames as [string, string];

interface Signal {
  id: number;
  name: string;
  category: string;
}

interface Found {
  id: number;
  name: string;
  category: string;
}

interface Section {
  component_type: SectionType;
  title?: string;
  slogan_text?: string;
  product_ids?: number[];
  product_id?: number;
}

function systemText(request: MessagesRequest): string {
  const system = request.system;
  if (typeof system === 'string') return system;
  if (Array.isArray(system)) {
    return system.map((block) => (typeof block?.text === 'string' ? block.text : '')).join('\n');
  }
  return '';
}

function tagged(text: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>\\s*([\\s\\S]*?)\\s*</${tag}>`).exec(text)?.[1];
}

function signals(text: string, tag: string): Signal[] {
  try {
    const parsed: unknown = JSON.parse(tagged(text, tag) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Signal[]) : [];
  } catch {
    return [];
  }
}

/** The model's tool calls so far, in order, each with the text of its result when there is one. */
function callsSoFar(request: MessagesRequest): { name: string; result?: string }[] {
  const results = new Map<string, string>();
  for (const message of request.messages) {
    if (message.role !== 'user') continue;
    for (const block of contentBlocks(message)) {
      if (block.type === 'tool_result') results.set(String(block.tool_use_id), toolResultText(block));
    }
  }
  const calls: { name: string; result?: string }[] = [];
  for (const message of request.messages) {
    if (message.role !== 'assistant') continue;
    for (const block of contentBlocks(message)) {
      if (block.type !== 'tool_use') continue;
      calls.push({ name: String(block.name), result: results.get(String(block.id)) });
    }
  }
  return calls;
}

function parseFound(text: string | undefined): Found[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? (parsed as Found[]) : [];
  } catch {
    return [];
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The find_related_products calls for this shopper: the strongest signals' categories, then new things. */
function searches(bought: Signal[], cart: Signal[], viewed: Signal[]): Record<string, unknown>[] {
  const known = [...bought, ...cart, ...viewed];
  if (known.length === 0) return [{ min_rating: 3, limit: 14 }];
  const categories = unique(known.map((signal) => signal.category)).slice(0, 2);
  return [
    ...categories.map((category) => ({ category, limit: 8 })),
    { min_rating: 4, exclude_ids: unique(known.map((signal) => signal.id)), limit: 8 },
  ];
}

/** The page, computed from the prompt and the searches' results: the same on every turn. */
function plan(name: string, bought: Signal[], cart: Signal[], viewed: Signal[], found: Found[][]): Section[] {
  const inCart = new Set(cart.map((signal) => signal.id));
  const shown = new Set<number>();
  const take = (list: readonly Found[] | undefined, count: number) => {
    const ids = (list ?? [])
      .map((product) => product.id)
      .filter((id) => !inCart.has(id) && !shown.has(id))
      .slice(0, count);
    for (const id of ids) shown.add(id);
    return ids;
  };
  const known = [...bought, ...cart, ...viewed];
  if (known.length === 0) {
    const all = found[0] ?? [];
    return [
      {
        component_type: 'generic-slogan',
        slogan_text: `Welcome to Nile, ${name}! Everything you need, in one place.`,
      },
      { component_type: 'carousel', title: 'Trending now', product_ids: take(all, 6) },
      { component_type: 'basic-square', title: 'Top rated', product_ids: take(all, 4) },
      { component_type: 'card', title: 'Discover something new', product_ids: take(all, 4) },
    ];
  }
  const strongest = known[0]!;
  const reason = bought.length
    ? `Because you bought ${strongest.name}`
    : cart.length
      ? `To go with ${strongest.name} in your cart`
      : `Because you looked at ${strongest.name}`;
  const categories = unique(known.map((signal) => signal.category)).slice(0, 2);
  const sections: Section[] = [
    {
      component_type: 'specific-slogan',
      slogan_text: `${name}, more of what you love in ${strongest.category}.`,
    },
    { component_type: 'carousel', title: reason, product_ids: take(found[0], 8) },
  ];
  if (categories.length > 1) {
    sections.push({
      component_type: 'basic-square',
      title: `More in ${categories[1]}`,
      product_ids: take(found[1], 4),
    });
  }
  const revisit = viewed.find((signal) => !inCart.has(signal.id) && !bought.some((b) => b.id === signal.id));
  if (revisit) {
    shown.add(revisit.id);
    sections.push({
      component_type: 'super-card',
      title: 'Still thinking about it?',
      product_id: revisit.id,
    });
  }
  sections.push({ component_type: 'card', title: 'New for you', product_ids: take(found.at(-1), 6) });
  return sections.filter(
    (section) => section.product_id !== undefined || section.slogan_text || section.product_ids?.length,
  );
}

/** The next turn of a Nile home-page conversation; undefined for a request that is not one. */
export function nileScriptedTurn(request: MessagesRequest): Turn | undefined {
  const system = systemText(request);
  const name = tagged(system, 'shopper_name');
  if (name === undefined) return undefined;
  const bought = signals(system, 'checked_out_products');
  const cart = signals(system, 'in_cart_products');
  const viewed = signals(system, 'viewed_products');
  const calls = callsSoFar(request);
  const wanted = searches(bought, cart, viewed);
  const finds = calls.filter((call) => call.name === findTool);
  if (finds.length === 0) {
    return { name: 'nile: find products', content: wanted.map((input) => toolUse(findTool, input)) };
  }
  const page = plan(
    name,
    bought,
    cart,
    viewed,
    finds.map((call) => parseFound(call.result)),
  );
  const streamed = calls.filter((call) => call.name === streamTool).length;
  const next = page[streamed];
  if (!next) return { ...reply('done'), name: 'nile: done' };
  return { name: `nile: section ${streamed + 1}`, content: [toolUse(streamTool, next)] };
}

/** For baton's fake model server: Nile's turns, and a short answer to anything else Claude Code asks. */
export function nileScriptedResponder(request: MessagesRequest): Turn {
  return nileScriptedTurn(request) ?? { ...reply('ok'), name: 'nile: side request' };
}
