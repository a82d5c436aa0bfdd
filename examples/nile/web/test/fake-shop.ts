import type {
  CartResponse,
  ExpertiseData,
  ExpertiseResponse,
  HomeSection,
  LivePromptResponse,
  Order,
  Product,
  Review,
  Shopper,
} from '@nile-protocol';
import { ApiError } from '@baton-web/api/http.ts';
import type { NileApi } from '../src/api/nile-api.ts';

export function product(id: number, overrides: Partial<Product> = {}): Product {
  return {
    id,
    name: `Product ${id}`,
    description: `The description of product ${id}.`,
    price: 10 + id,
    category: id % 2 === 0 ? 'Kitchen' : 'Garden',
    brand: 'Acme',
    rating: 4.2,
    shippingSpeed: 'standard',
    imageUrl: `/api/nile/products/${id}/image.svg`,
    ...overrides,
  };
}

/**
 * A shop in memory that answers like Nile's server does (what examples/nile/protocol.ts describes):
 * every cart change answers with the whole cart, and the expertise learns on the server's side of
 * each action, once. The store tests drive the stores against it; the browser test drives the real one.
 */
export class FakeShop {
  products = Array.from({ length: 30 }, (_, i) => product(i + 1));
  shopper: Shopper | undefined;
  cartLines: { id: number; productId: number; quantity: number }[] = [];
  orders: Order[] = [];
  data: ExpertiseData = { viewed: [], addedToCart: [], checkedOut: [] };
  totalImprovements = 0;
  calls: string[] = [];
  /** Answers held back until the test lets them go (`release`). */
  held = new Map<string, () => void>();
  holdNext = new Set<string>();
  /** Calls that fail once, as a server that is down would (a 503). */
  failNext = new Set<string>();
  private nextLine = 1;
  private clock = Date.parse('2026-12-02T10:00:00Z');

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private async gate(name: string): Promise<void> {
    this.calls.push(name);
    if (this.failNext.delete(name)) throw new ApiError(503, 'unavailable', `${name} is unavailable`);
    if (!this.holdNext.delete(name)) return;
    await new Promise<void>((resolve) => this.held.set(name, resolve));
  }

  release(name: string): void {
    const resume = this.held.get(name);
    if (!resume) throw new Error(`nothing held for ${name}`);
    this.held.delete(name);
    resume();
  }

  private signedIn(): Shopper {
    if (!this.shopper) throw new ApiError(401, 'not_signed_in', 'Sign in first.', 'cookie.nile_session');
    return this.shopper;
  }

  private learn(list: keyof ExpertiseData, productId: number, by = 1): void {
    const entries = this.data[list];
    const entry = entries.find((known) => known.productId === productId);
    if (entry) {
      entry.count += by;
      entry.lastAt = this.now();
    } else entries.push({ productId, count: by, lastAt: this.now() });
    this.totalImprovements += 1;
  }

  private cartAnswer(): CartResponse {
    const items = this.cartLines.map((line) => ({
      id: line.id,
      quantity: line.quantity,
      product: this.find(line.productId),
    }));
    return {
      items,
      totalItems: items.reduce((total, item) => total + item.quantity, 0),
      totalPrice:
        Math.round(items.reduce((total, item) => total + item.quantity * item.product.price, 0) * 100) / 100,
    };
  }

  private find(id: number): Product {
    const found = this.products.find((item) => item.id === id);
    if (!found) throw new ApiError(404, 'not_found', `No product ${id}.`);
    return found;
  }

  private expertiseAnswer(): ExpertiseResponse {
    return {
      shopperId: this.signedIn().id,
      totalImprovements: this.totalImprovements,
      lastImprovementAt: null,
      data: structuredClone(this.data),
    };
  }

  api(): NileApi {
    return {
      me: async () => {
        await this.gate('me');
        return this.signedIn();
      },
      signIn: async (name) => {
        await this.gate('signIn');
        if (name.trim() === '')
          throw new ApiError(400, 'bad_request', 'body.name must not be empty', 'body.name');
        this.shopper = { id: `shopper-${name}`, name: name.trim(), createdAt: this.now() };
        return this.shopper;
      },
      signOut: async () => {
        await this.gate('signOut');
        this.shopper = undefined;
      },
      products: async (query = {}) => {
        await this.gate(`products:${query.q ?? ''}:${query.category ?? ''}`);
        const q = query.q?.toLowerCase();
        const matching = this.products.filter(
          (item) =>
            (!query.category || item.category === query.category) &&
            (!q || `${item.name} ${item.brand} ${item.category}`.toLowerCase().includes(q)),
        );
        const offset = query.offset ?? 0;
        const limit = query.limit ?? 50;
        return { products: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
      },
      categories: async () => {
        await this.gate('categories');
        return [
          { name: 'Garden', count: this.products.filter((item) => item.category === 'Garden').length },
          { name: 'Kitchen', count: this.products.filter((item) => item.category === 'Kitchen').length },
        ];
      },
      product: async (id) => {
        await this.gate(`product:${id}`);
        const found = this.find(id);
        if (this.shopper) this.learn('viewed', id);
        const reviews: Review[] = [
          { id: id * 10, reviewerName: 'Ann', rating: 5, text: 'Lovely.', reviewDate: '2026-11-01' },
        ];
        return { product: found, reviews, totalImprovements: this.shopper ? this.totalImprovements : null };
      },
      cart: async () => {
        await this.gate('cart');
        this.signedIn();
        return this.cartAnswer();
      },
      addToCart: async ({ productId, quantity = 1 }) => {
        await this.gate(`add:${productId}`);
        this.signedIn();
        this.find(productId);
        const line = this.cartLines.find((known) => known.productId === productId);
        if (line) line.quantity += quantity;
        else this.cartLines.push({ id: this.nextLine++, productId, quantity });
        this.learn('addedToCart', productId, quantity);
        return this.cartAnswer();
      },
      setQuantity: async (itemId, quantity) => {
        await this.gate(`set:${itemId}`);
        this.signedIn();
        const line = this.cartLines.find((known) => known.id === itemId);
        if (!line) throw new ApiError(404, 'not_found', `No cart line ${itemId}.`);
        if (quantity <= 0) return this.removeLine(itemId);
        line.quantity = quantity;
        return this.cartAnswer();
      },
      removeFromCart: async (itemId) => {
        await this.gate(`remove:${itemId}`);
        this.signedIn();
        return this.removeLine(itemId);
      },
      checkout: async () => {
        await this.gate('checkout');
        this.signedIn();
        if (this.cartLines.length === 0) throw new ApiError(400, 'bad_request', 'The cart is empty.', 'body');
        const items = this.cartLines.map((line) => {
          const bought = this.find(line.productId);
          this.learn('checkedOut', line.productId, line.quantity);
          return { product: bought, quantity: line.quantity, priceAtPurchase: bought.price };
        });
        const order: Order = {
          id: `ORD-20261202100000-${this.orders.length + 1}`,
          createdAt: this.now(),
          items,
          total: items.reduce((total, item) => total + item.quantity * item.priceAtPurchase, 0),
        };
        this.orders.unshift(order);
        this.cartLines = [];
        return order;
      },
      orders: async () => {
        await this.gate('orders');
        this.signedIn();
        return [...this.orders];
      },
      expertise: async () => {
        await this.gate('expertise');
        return this.expertiseAnswer();
      },
      clearExpertise: async () => {
        await this.gate('clearExpertise');
        this.data = { viewed: [], addedToCart: [], checkedOut: [] };
        this.totalImprovements = 0;
        return this.expertiseAnswer();
      },
      livePrompt: async (): Promise<LivePromptResponse> => {
        await this.gate('livePrompt');
        this.signedIn();
        const pick = (list: keyof ExpertiseData) =>
          this.data[list].map((entry) => this.find(entry.productId));
        return {
          systemPrompt: `# Shopping expert\n\nImprovements: ${this.totalImprovements}`,
          userPrompt: 'Generate the personalized home page now.',
          totalImprovements: this.totalImprovements,
          prefetchedProducts: {
            checkedOut: pick('checkedOut'),
            addedToCart: pick('addedToCart'),
            viewed: pick('viewed'),
          },
        };
      },
      genericHome: async (): Promise<HomeSection[]> => {
        await this.gate('genericHome');
        return genericPage(this.products);
      },
    };
  }

  private removeLine(itemId: number): CartResponse {
    const line = this.cartLines.find((known) => known.id === itemId);
    if (!line) throw new ApiError(404, 'not_found', `No cart line ${itemId}.`);
    this.cartLines = this.cartLines.filter((known) => known.id !== itemId);
    const entries = this.data.addedToCart;
    this.data.addedToCart = entries.filter((entry) => entry.productId !== line.productId);
    this.totalImprovements += 1;
    return this.cartAnswer();
  }
}

export function section(index: number, type: HomeSection['type'], products: Product[] = []): HomeSection {
  return {
    index,
    type,
    title: type.endsWith('slogan') ? null : `Section ${index}`,
    subtitle: null,
    sloganText: type.endsWith('slogan') ? `Slogan ${index}` : null,
    products,
  };
}

export function genericPage(products: Product[]): HomeSection[] {
  return [
    section(0, 'generic-slogan'),
    section(1, 'carousel', products.slice(0, 6)),
    section(2, 'basic-square', products.slice(6, 10)),
    section(3, 'card', products.slice(10, 14)),
  ];
}
