import { z } from 'zod';

/**
 * Nile's wire types: every REST body, query and answer under /api/nile/ and every WebSocket frame of
 * /ws/nile, shared by the server (examples/nile/server) and the pages (examples/nile/web). It imports
 * zod only, so the pages can import it as it is. Changes are additive: a field once here keeps its name
 * and meaning.
 *
 * Identity is the HttpOnly `nile_session` cookie set by POST /api/nile/session (never a header the
 * page could forge). Every request also passes baton's own access-token guard (the `baton_token`
 * cookie that `?token=` sets). Errors are baton's: `{error: {code, message, field?}}`, where `field`
 * names what to change (`body.quantity`, `query.limit`, `cookie.nile_session`).
 */

// ---------------------------------------------------------------------------------------------------
// Values

/** A query-string whole number: "12" is one, "12abc", "" and "1e3" are not. */
function queryInt(options: { min: number; max: number; default: number }) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(options.min).max(options.max))
    .default(options.default);
}

/** A path id: "12". */
const pathId = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1));

export const productIdSchema = z.number().int().min(1).max(1_000_000_000);

export const ShippingSpeed = ['standard', 'express', 'overnight'] as const;
export type ShippingSpeed = (typeof ShippingSpeed)[number];

/** The home page's section kinds, as in the reference shop. */
export const SectionType = [
  'generic-slogan',
  'specific-slogan',
  'specific-upsell',
  'basic-square',
  'carousel',
  'card',
  'super-card',
] as const;
export type SectionType = (typeof SectionType)[number];
export const sectionTypeSchema = z.enum(SectionType);

/** Sections that show a slogan and no products. */
export const sloganSectionTypes: readonly SectionType[] = ['generic-slogan', 'specific-slogan'];
/** Sections that show exactly one product. */
export const singleProductSectionTypes: readonly SectionType[] = ['specific-upsell', 'super-card'];

// ---------------------------------------------------------------------------------------------------
// Shoppers and sessions

export const shopperSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
});
export type Shopper = z.infer<typeof shopperSchema>;

/** POST /api/nile/session: sign in by name (found or created). Sets the `nile_session` cookie. */
export const sessionBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(40, 'must be at most 40 characters')
    .regex(/^[\p{L}\p{N} ._'-]+$/u, "may contain letters, digits, spaces and . _ ' - only"),
});
export type SessionBody = z.input<typeof sessionBody>;

/** POST /api/nile/session and GET /api/nile/me. GET me without a session is a 401 `not_signed_in`. */
export const meResponse = z.object({ shopper: shopperSchema });
export type MeResponse = z.infer<typeof meResponse>;

/** DELETE /api/nile/session: signs out (the cookie is cleared; the session row is deleted). */
export const signedOutResponse = z.object({ signedOut: z.literal(true) });

// ---------------------------------------------------------------------------------------------------
// Products

export const productSchema = z.object({
  id: productIdSchema,
  name: z.string(),
  description: z.string(),
  /** Dollars, two decimals. */
  price: z.number(),
  category: z.string(),
  brand: z.string(),
  /** 1.0 to 5.0, one decimal. */
  rating: z.number(),
  shippingSpeed: z.enum(ShippingSpeed),
  /** An SVG served by the server: `/api/nile/products/<id>/image.svg`. */
  imageUrl: z.string(),
});
export type Product = z.infer<typeof productSchema>;

export const reviewSchema = z.object({
  id: z.number().int(),
  reviewerName: z.string(),
  rating: z.number().int(),
  text: z.string(),
  reviewDate: z.string(),
});
export type Review = z.infer<typeof reviewSchema>;

/** Text without control characters (PostgreSQL refuses NUL in text; none belongs in a search). */
const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** GET /api/nile/products: `q` matches name, brand and category (case-insensitive, plain text). */
export const productsQuery = z.strictObject({
  category: plainText(60).optional(),
  q: plainText(100).optional(),
  limit: queryInt({ min: 1, max: 100, default: 50 }),
  offset: queryInt({ min: 0, max: 100_000, default: 0 }),
});
export type ProductsQuery = z.input<typeof productsQuery>;

export const productsResponse = z.object({
  products: z.array(productSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type ProductsResponse = z.infer<typeof productsResponse>;

/** GET /api/nile/products/categories */
export const categoriesResponse = z.object({
  categories: z.array(z.object({ name: z.string(), count: z.number().int() })),
});
export type CategoriesResponse = z.infer<typeof categoriesResponse>;

export const productParams = z.strictObject({ id: pathId });

/**
 * GET /api/nile/products/:id, with its reviews. For a signed-in shopper it records one `viewed` action
 * (and the answer carries the expertise's new total); without a session it records nothing.
 */
export const productDetailResponse = z.object({
  product: productSchema,
  reviews: z.array(reviewSchema),
  totalImprovements: z.number().int().nullable(),
});
export type ProductDetailResponse = z.infer<typeof productDetailResponse>;

// ---------------------------------------------------------------------------------------------------
// Cart and orders (a session is required)

export const cartItemSchema = z.object({
  id: z.number().int(),
  product: productSchema,
  quantity: z.number().int(),
});
export type CartItem = z.infer<typeof cartItemSchema>;

/** GET /api/nile/cart, and the answer of every cart change. */
export const cartResponse = z.object({
  items: z.array(cartItemSchema),
  totalItems: z.number().int(),
  /** Dollars, two decimals. */
  totalPrice: z.number(),
});
export type CartResponse = z.infer<typeof cartResponse>;

/** POST /api/nile/cart: adds `quantity` of a product (to the line it already has, if any). */
export const addToCartBody = z.strictObject({
  productId: productIdSchema,
  quantity: z.number().int().min(1).max(99).default(1),
});
export type AddToCartBody = z.input<typeof addToCartBody>;

export const cartItemParams = z.strictObject({ itemId: pathId });

/** PUT /api/nile/cart/:itemId: sets the quantity; 0 or less removes the line. */
export const updateCartBody = z.strictObject({
  quantity: z.number().int().min(-1_000).max(99),
});
export type UpdateCartBody = z.input<typeof updateCartBody>;

export const orderItemSchema = z.object({
  product: productSchema,
  quantity: z.number().int(),
  /** Dollars, the price when it was bought. */
  priceAtPurchase: z.number(),
});

export const orderSchema = z.object({
  /** `ORD-<yyyymmddHHMMSS>-<n>` */
  id: z.string(),
  createdAt: z.string(),
  items: z.array(orderItemSchema),
  total: z.number(),
});
export type Order = z.infer<typeof orderSchema>;

/** POST /api/nile/orders/checkout: the cart becomes one order; an empty cart is a 400 `cart_empty` (field `cart`). */
export const checkoutResponse = z.object({ order: orderSchema });
export type CheckoutResponse = z.infer<typeof checkoutResponse>;

/** GET /api/nile/orders: newest first. */
export const ordersResponse = z.object({ orders: z.array(orderSchema) });
export type OrdersResponse = z.infer<typeof ordersResponse>;

// ---------------------------------------------------------------------------------------------------
// Expertise (LEARN: written by the server only, in the same transaction as the action)

export const expertiseEntrySchema = z.object({
  productId: productIdSchema,
  count: z.number().int(),
  /** ISO time of the latest such action. */
  lastAt: z.string(),
});
export type ExpertiseEntry = z.infer<typeof expertiseEntrySchema>;

export const expertiseDataSchema = z.object({
  viewed: z.array(expertiseEntrySchema),
  addedToCart: z.array(expertiseEntrySchema),
  checkedOut: z.array(expertiseEntrySchema),
});
export type ExpertiseData = z.infer<typeof expertiseDataSchema>;

/** GET /api/nile/expertise and DELETE /api/nile/expertise (the reset, empty one). */
export const expertiseResponse = z.object({
  shopperId: z.string(),
  totalImprovements: z.number().int(),
  lastImprovementAt: z.string().nullable(),
  data: expertiseDataSchema,
});
export type ExpertiseResponse = z.infer<typeof expertiseResponse>;

/** GET /api/nile/expertise/live-prompt: the exact prompts the home-page agent would get now. */
export const livePromptResponse = z.object({
  systemPrompt: z.string(),
  userPrompt: z.string(),
  totalImprovements: z.number().int(),
  prefetchedProducts: z.object({
    checkedOut: z.array(productSchema),
    addedToCart: z.array(productSchema),
    viewed: z.array(productSchema),
  }),
});
export type LivePromptResponse = z.infer<typeof livePromptResponse>;

// ---------------------------------------------------------------------------------------------------
// Home page

export const homeSectionSchema = z.object({
  /** Position on the page, from 0, in the order the sections were streamed. */
  index: z.number().int(),
  type: sectionTypeSchema,
  title: z.string().nullable(),
  subtitle: z.string().nullable(),
  sloganText: z.string().nullable(),
  /** Empty for slogans, one for `specific-upsell` and `super-card`. */
  products: z.array(productSchema),
});
export type HomeSection = z.infer<typeof homeSectionSchema>;

/** GET /api/nile/home: the generic page (what a new shopper sees, and the fallback). */
export const homePageResponse = z.object({ sections: z.array(homeSectionSchema) });
export type HomePageResponse = z.infer<typeof homePageResponse>;

// ---------------------------------------------------------------------------------------------------
// WebSocket /ws/nile (the shopper comes from the `nile_session` cookie; without one the upgrade is a 401)

/** Client → server. `start` (re)starts the page: a generation in progress is interrupted first. */
export const nileClientMessage = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('start') }),
  z.strictObject({ action: z.literal('ping') }),
]);
export type NileClientMessage = z.infer<typeof nileClientMessage>;

/**
 * Server → client, in this order per generation: `started` (drop the sections shown so far), one
 * `section` per stream_section call, then `complete`. When generation fails: `error`, then the generic
 * page's sections and `complete {personalized: false, fallback: true}`. When the shopper acts again
 * (a view, a cart change, a checkout) while the socket is open, or sends `start` again, the generation
 * in progress is interrupted and a new one begins with a new `started`. Each frame carries its
 * generation's number, so a frame of an interrupted one can be told apart and dropped.
 */
export const nileServerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    generation: z.number().int(),
    data: z.object({ personalized: z.boolean(), scripted: z.boolean() }),
  }),
  z.object({ type: z.literal('section'), generation: z.number().int(), data: homeSectionSchema }),
  z.object({
    type: z.literal('complete'),
    generation: z.number().int(),
    data: z.object({ personalized: z.boolean(), fallback: z.boolean() }),
  }),
  z.object({
    type: z.literal('error'),
    /** Absent for a frame that belongs to no generation (a client message that is not understood). */
    generation: z.number().int().optional(),
    data: z.object({ message: z.string(), field: z.string().optional() }),
  }),
  z.object({ type: z.literal('pong') }),
]);
export type NileServerMessage = z.infer<typeof nileServerMessage>;

/** The name of the session cookie (HttpOnly, SameSite=Strict, Path=/). */
export const nileSessionCookie = 'nile_session';

/** A REST error, as every baton route answers. */
export const nileErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type NileErrorResponse = z.infer<typeof nileErrorResponse>;

/**
 * The routes, for reference (all answer JSON; those marked * need a session):
 *   POST   /api/nile/session {name}            → meResponse (sets the cookie)
 *   DELETE /api/nile/session                   → signedOutResponse
 *   GET    /api/nile/me *                      → meResponse
 *   GET    /api/nile/products?category&q&limit&offset → productsResponse
 *   GET    /api/nile/products/categories       → categoriesResponse
 *   GET    /api/nile/products/:id              → productDetailResponse (records a view when signed in)
 *   GET    /api/nile/products/:id/image.svg    → image/svg+xml
 *   GET    /api/nile/cart *                    → cartResponse
 *   POST   /api/nile/cart * {productId, quantity?} → cartResponse (201)
 *   PUT    /api/nile/cart/:itemId * {quantity} → cartResponse
 *   DELETE /api/nile/cart/:itemId *            → cartResponse
 *   POST   /api/nile/orders/checkout *         → checkoutResponse (201)
 *   GET    /api/nile/orders *                  → ordersResponse
 *   GET    /api/nile/expertise *               → expertiseResponse
 *   DELETE /api/nile/expertise *               → expertiseResponse
 *   GET    /api/nile/expertise/live-prompt *   → livePromptResponse
 *   GET    /api/nile/home                      → homePageResponse
 *   WS     /ws/nile *                          → nileServerMessage frames
 */
export const nileRoutes = {
  session: '/api/nile/session',
  me: '/api/nile/me',
  products: '/api/nile/products',
  categories: '/api/nile/products/categories',
  cart: '/api/nile/cart',
  checkout: '/api/nile/orders/checkout',
  orders: '/api/nile/orders',
  expertise: '/api/nile/expertise',
  livePrompt: '/api/nile/expertise/live-prompt',
  home: '/api/nile/home',
  socket: '/ws/nile',
} as const;
