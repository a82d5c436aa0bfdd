import type { Queryable } from '../../../src/db/pool.ts';
import type { ExpertiseEntry, LivePromptResponse, Product } from '../protocol.ts';
import { cartProductIds } from './cart-db.ts';
import { hasSignals } from './expertise.ts';
import { readExpertise } from './expertise-db.ts';
import { listBrands, listCategories, productsByIds } from './products-db.ts';

/** How many of each signal list the prompt carries, newest first (as the reference prefetches). */
const perList = 10;

export const homeUserPrompt =
  'Generate the personalized home page now. Stream each section as you create it.';

const template = `You are Nile's shopping expert. You build one shopper's home page, section by section, from what the shop has learnt about them, with exactly two tools: find_related_products and stream_section.

Shopper: <shopper_name>{{SHOPPER_NAME}}</shopper_name>
Improvements learnt so far: {{TOTAL_IMPROVEMENTS}}

What they bought (strongest signal), newest first:
<checked_out_products>
{{CHECKED_OUT_PRODUCTS}}
</checked_out_products>

What is in their cart now, newest first:
<in_cart_products>
{{IN_CART_PRODUCTS}}
</in_cart_products>

What they looked at, newest first:
<viewed_products>
{{VIEWED_PRODUCTS}}
</viewed_products>

Categories: {{AVAILABLE_CATEGORIES}}
Brands: {{AVAILABLE_BRANDS}}

Rules:
1. Signals, strongest first: checked out > in the cart > viewed. Within each list, recent and repeated actions (lastAt, count) weigh more.
2. Never show a product that is in the cart (in_cart_products): they have it already. Their interest in it still tells you what they like.
3. Mix in products they have not seen: at least one section comes from find_related_products results they have not bought, carted or viewed.
4. A shopper with no signals (all three lists empty) gets the generic page: a generic-slogan, then carousel, basic-square and card sections of well-rated products from several categories, found with find_related_products.
5. Otherwise begin with a specific-slogan about what they like, then sections that follow the signals in order (related products of what they bought first, then of their cart, then of what they viewed), and end with discovery.
6. Four to six sections. basic-square, carousel and card carry 3 to 12 products; specific-upsell and super-card exactly one (product_id); the slogans none (slogan_text).
7. Call stream_section once per section, in page order, as soon as the section is ready: the shopper sees it at once. Do not write the page as text or JSON. After the last section, answer only "done".`;

/** A signal as the prompt shows it: the product and how often and when. */
function signalProducts(entries: readonly ExpertiseEntry[], products: readonly Product[]) {
  const byId = new Map(products.map((product) => [product.id, product]));
  return entries.slice(0, perList).flatMap((entry) => {
    const product = byId.get(entry.productId);
    if (!product) return [];
    const { id, name, category, brand, price, rating } = product;
    return [{ id, name, category, brand, price, rating, count: entry.count, lastAt: entry.lastAt }];
  });
}

export interface HomePrompt extends LivePromptResponse {
  /** The products in the cart now: never shown on the page. */
  cartProductIds: number[];
  /** The shopper has signals: the page is personalised. */
  personalized: boolean;
}

/**
 * The exact prompts the home-page agent gets, read from the ledger now: GET expertise/live-prompt shows
 * the same. The cart list is the cart table itself (the expertise's cart list follows it).
 */
export async function buildHomePrompt(
  db: Queryable,
  shopper: { id: string; name: string },
): Promise<HomePrompt> {
  const [expertise, cartIds, categories, brands] = await Promise.all([
    readExpertise(db, shopper.id),
    cartProductIds(db, shopper.id),
    listCategories(db),
    listBrands(db),
  ]);
  const { data } = expertise;
  const cartEntries: ExpertiseEntry[] = [
    ...data.addedToCart.filter((entry) => cartIds.includes(entry.productId)),
    ...cartIds
      .filter((id) => !data.addedToCart.some((entry) => entry.productId === id))
      .map((productId) => ({ productId, count: 1, lastAt: expertise.lastImprovementAt ?? '' })),
  ];
  const products = await productsByIds(db, [
    ...new Set([...data.checkedOut, ...cartEntries, ...data.viewed].map((e) => e.productId)),
  ]);
  const checkedOut = signalProducts(data.checkedOut, products);
  const inCart = signalProducts(cartEntries, products);
  const viewed = signalProducts(data.viewed, products);
  const systemPrompt = template
    .replace('{{SHOPPER_NAME}}', () => shopper.name)
    .replace('{{TOTAL_IMPROVEMENTS}}', () => String(expertise.totalImprovements))
    .replace('{{CHECKED_OUT_PRODUCTS}}', () => JSON.stringify(checkedOut))
    .replace('{{IN_CART_PRODUCTS}}', () => JSON.stringify(inCart))
    .replace('{{VIEWED_PRODUCTS}}', () => JSON.stringify(viewed))
    .replace('{{AVAILABLE_CATEGORIES}}', () => categories.map((c) => c.name).join(', '))
    .replace('{{AVAILABLE_BRANDS}}', () => brands.join(', '));
  const pick = (list: readonly { id: number }[]) =>
    list.flatMap((item) => products.filter((product) => product.id === item.id));
  return {
    systemPrompt,
    userPrompt: homeUserPrompt,
    totalImprovements: expertise.totalImprovements,
    prefetchedProducts: { checkedOut: pick(checkedOut), addedToCart: pick(inCart), viewed: pick(viewed) },
    cartProductIds: cartIds,
    personalized: hasSignals(data) || cartIds.length > 0,
  };
}
