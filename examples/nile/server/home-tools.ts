import {
  createSdkMcpServer,
  tool,
  type McpSdkServerConfigWithInstance,
} from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { Queryable } from '../../../src/db/pool.ts';
import {
  SectionType,
  singleProductSectionTypes,
  sloganSectionTypes,
  type HomeSection,
  type Product,
} from '../protocol.ts';
import { findRelatedProducts, productsByIds } from './products-db.ts';

/** The MCP server name: the model sees `mcp__nile__find_related_products`. */
export const homeToolServerName = 'nile';
export const homeToolNames = [
  `mcp__${homeToolServerName}__find_related_products`,
  `mcp__${homeToolServerName}__stream_section`,
];

/**
 * Everything a tool call may touch, bound to one generation of one shopper's page. Each generation
 * builds its own server over its own context (never a module-level "current shopper"), so two
 * shoppers generating at once cannot reach each other's sockets.
 */
export interface HomeToolContext {
  db: Queryable;
  /** Never put on the page. */
  cartProductIds: ReadonlySet<number>;
  /** Sends a section to this generation's socket; false when the generation is no longer current. */
  emit(section: Omit<HomeSection, 'index'>): boolean;
}

const name = z
  .string()
  .max(60)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');

const findInput = {
  category: name.optional().describe('exact category name'),
  brand: name.optional().describe('exact brand name'),
  min_price: z.number().nonnegative().optional(),
  max_price: z.number().nonnegative().optional(),
  min_rating: z.number().min(1).max(5).optional(),
  exclude_ids: z.array(z.number().int()).max(200).optional().describe('product ids to leave out'),
  limit: z.number().int().min(1).max(24).optional().describe('default 8'),
};

const idList = z.union([
  z.array(z.number().int()),
  z.string().regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'a comma-separated list of product ids'),
]);

const streamInput = {
  component_type: z.enum(SectionType),
  title: z.string().max(120).optional(),
  subtitle: z.string().max(200).optional(),
  slogan_text: z.string().max(200).optional(),
  product_ids: idList.optional().describe('for basic-square, carousel and card: 3 to 12 ids'),
  product_id: z.number().int().optional().describe('for specific-upsell and super-card'),
};

function text(value: string, isError = false) {
  return { content: [{ type: 'text' as const, text: value }], ...(isError ? { isError: true } : {}) };
}

/** A product as the model reads it: what it needs to choose, not the description. */
function brief(product: Product) {
  const { id, name, category, brand, price, rating, shippingSpeed } = product;
  return { id, name, category, brand, price, rating, shippingSpeed };
}

function parseIds(value: z.infer<typeof idList> | undefined): number[] {
  if (value === undefined) return [];
  const ids = Array.isArray(value) ? value : value.split(',').map((part) => Number(part.trim()));
  return [...new Set(ids)];
}

export function homeToolServer(context: HomeToolContext): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: homeToolServerName,
    version: '1.0.0',
    tools: [
      tool(
        'find_related_products',
        'Finds products of the Nile catalogue by category, brand, price and rating, best rated first. ' +
          "Products in the shopper's cart are never returned. Answers a JSON list.",
        findInput,
        async (args) => {
          const products = await findRelatedProducts(context.db, {
            category: args.category,
            brand: args.brand,
            minPrice: args.min_price,
            maxPrice: args.max_price,
            minRating: args.min_rating,
            excludeIds: [...(args.exclude_ids ?? []), ...context.cartProductIds],
            limit: args.limit ?? 8,
          });
          return text(JSON.stringify(products.map(brief)));
        },
      ),
      tool(
        'stream_section',
        "Puts one section on the shopper's home page now, below the ones streamed before. Slogans take " +
          'slogan_text; specific-upsell and super-card one product_id; basic-square, carousel and card ' +
          '3 to 12 product_ids.',
        streamInput,
        async (args) => {
          const type = args.component_type;
          let ids: number[] = [];
          if (sloganSectionTypes.includes(type)) {
            if (!args.slogan_text) return text(`${type} needs slogan_text.`, true);
          } else if (singleProductSectionTypes.includes(type)) {
            const id = args.product_id ?? parseIds(args.product_ids)[0];
            if (id === undefined) return text(`${type} needs product_id.`, true);
            ids = [id];
          } else {
            ids = parseIds(args.product_ids);
            if (ids.length < 1) return text(`${type} needs product_ids (3 to 12).`, true);
          }
          // The rule "never show a cart item" is kept here too, whatever the model chose.
          const inCart = ids.filter((id) => context.cartProductIds.has(id));
          const products = (await productsByIds(context.db, ids)).filter(
            (product) => !context.cartProductIds.has(product.id),
          );
          if (ids.length > 0 && products.length === 0) {
            return text(
              `None of the products ${ids.join(', ')} can be shown (unknown, or in the cart): choose others.`,
              true,
            );
          }
          const sent = context.emit({
            type,
            title: args.title ?? null,
            subtitle: args.subtitle ?? null,
            sloganText: args.slogan_text ?? null,
            products: products.slice(0, 12),
          });
          if (!sent) return text('This page is no longer shown: stop now.', true);
          const note = inCart.length ? ` (left out, in the cart: ${inCart.join(', ')})` : '';
          return text(`Streamed ${type} with ${products.length} products${note}.`);
        },
      ),
    ],
  });
}
