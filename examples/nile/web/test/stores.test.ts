import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { NileServerMessage } from '@nile-protocol';
import type { SocketLike, Timers } from '@baton-web/live/socket-link.ts';
import { nileApiKey, type NileApi } from '../src/api/nile-api.ts';
import { openHomeSocket } from '../src/live/home-socket.ts';
import { parseRoute, routeHash, type Route } from '../src/lib/route.ts';
import { useCartStore } from '../src/stores/cart.ts';
import { useCatalogStore } from '../src/stores/catalog.ts';
import { cycleLogLength, useExpertiseStore } from '../src/stores/expertise.ts';
import { useHomeStore } from '../src/stores/home.ts';
import { useShopperStore } from '../src/stores/shopper.ts';
import { FakeShop, genericPage, product, section } from './fake-shop.ts';

/** Pinia inside an app that provides `api`, as main.ts does (the stores inject it). */
function withApi(api: NileApi): void {
  const pinia = createPinia();
  createApp({}).provide(nileApiKey, api).use(pinia);
  setActivePinia(pinia);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function signedIn(shop: FakeShop) {
  await useShopperStore().signIn('ada');
  await useExpertiseStore().refresh();
  return shop;
}

describe('the home store: one generation at a time, its sections in order', () => {
  let shop: FakeShop;
  beforeEach(() => {
    shop = new FakeShop();
    withApi(shop.api());
  });

  const started = (generation: number, personalized = true, scripted = false): NileServerMessage => ({
    type: 'started',
    generation,
    data: { personalized, scripted },
  });

  it('shows the sections in their order as they stream, then complete; the loop records REUSE', () => {
    const home = useHomeStore();
    home.apply(started(1, true, true));
    expect(home.status).toBe('generating');
    expect(home.scripted).toBe(true);
    home.apply({ type: 'section', generation: 1, data: section(1, 'carousel', [product(3), product(4)]) });
    expect(home.sections.map((shown) => shown.index)).toEqual([1]);
    home.apply({ type: 'section', generation: 1, data: section(0, 'specific-slogan') });
    home.apply({ type: 'section', generation: 1, data: section(2, 'super-card', [product(5)]) });
    expect(home.sections.map((shown) => shown.type)).toEqual(['specific-slogan', 'carousel', 'super-card']);
    expect(home.generating).toBe(true);
    home.apply({ type: 'complete', generation: 1, data: { personalized: true, fallback: false } });
    expect(home.status).toBe('complete');
    expect(home.generating).toBe(false);
    expect(home.personalized).toBe(true);
    const expertise = useExpertiseStore();
    expect(expertise.phase).toBe('reuse');
    expect(expertise.log[0]?.text).toBe('Home page built: 3 personalised sections');
  });

  it('drops the frames of an interrupted generation: an old page never mixes into the new one', () => {
    const home = useHomeStore();
    home.apply(started(1));
    home.apply({ type: 'section', generation: 1, data: section(0, 'specific-slogan') });
    home.apply(started(2));
    expect(home.sections).toEqual([]);
    home.apply({ type: 'section', generation: 1, data: section(1, 'carousel', [product(1)]) });
    home.apply({ type: 'complete', generation: 1, data: { personalized: true, fallback: false } });
    home.apply({ type: 'error', generation: 1, data: { message: 'interrupted' } });
    expect(home.sections).toEqual([]);
    expect(home.status).toBe('generating');
    expect(home.error).toBeUndefined();
    expect(home.dropped.staleGeneration).toBe(3);
    home.apply({ type: 'section', generation: 2, data: section(0, 'generic-slogan') });
    expect(home.sections.map((shown) => shown.type)).toEqual(['generic-slogan']);
  });

  it('a failed generation says why and shows the generic page the server sends after it', () => {
    const home = useHomeStore();
    home.apply(started(4));
    home.apply({ type: 'error', generation: 4, data: { message: 'the model is unreachable' } });
    for (const generic of genericPage(shop.products))
      home.apply({ type: 'section', generation: 4, data: generic });
    home.apply({ type: 'complete', generation: 4, data: { personalized: false, fallback: true } });
    expect(home.error).toBe('the model is unreachable');
    expect(home.fallback).toBe(true);
    expect(home.sections.map((shown) => shown.type)).toEqual([
      'generic-slogan',
      'carousel',
      'basic-square',
      'card',
    ]);
    expect(useExpertiseStore().log[0]?.text).toBe('Generation failed: showing the generic page (4 sections)');
  });

  it('counts frames it does not understand and applies nothing from them', () => {
    const home = useHomeStore();
    home.receive(JSON.stringify(started(1)));
    home.receive('not json');
    home.receive(JSON.stringify({ type: 'section', generation: 1, data: { index: 0, type: 'banner' } }));
    home.receive(JSON.stringify({ type: 'takeover', generation: 1 }));
    expect(home.dropped.notUnderstood).toBe(3);
    expect(home.sections).toEqual([]);
    home.receive(JSON.stringify({ type: 'section', generation: 1, data: section(0, 'card', [product(2)]) }));
    expect(home.sections).toHaveLength(1);
  });
});

/** A socket the test opens, feeds and drops by hand; it keeps what the page sent. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: unknown[] = [];
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(message: NileServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

function manualTimers() {
  const pending: (() => void)[] = [];
  const timers: Timers = {
    setTimeout: (callback) => pending.push(callback),
    clearTimeout: () => {},
  };
  return { timers, runAll: () => pending.splice(0).forEach((callback) => callback()) };
}

describe("the home page's socket", () => {
  let shop: FakeShop;
  beforeEach(() => {
    shop = new FakeShop();
    withApi(shop.api());
  });

  it('asks for a page on each open, and falls back to the generic page over REST when the socket drops mid-page', async () => {
    const home = useHomeStore();
    const sockets: FakeSocket[] = [];
    const { timers, runAll } = manualTimers();
    const link = openHomeSocket({
      url: 'ws://shop/ws/nile',
      home,
      api: shop.api(),
      timers,
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    expect(home.status).toBe('connecting');
    sockets[0]!.open();
    expect(sockets[0]!.sent).toEqual([{ action: 'start' }]);
    sockets[0]!.deliver({ type: 'started', generation: 1, data: { personalized: true, scripted: true } });
    sockets[0]!.deliver({ type: 'section', generation: 1, data: section(0, 'specific-slogan') });
    sockets[0]!.drop();
    await settle();
    expect(shop.calls).toContain('genericHome');
    expect(home.status).toBe('complete');
    expect(home.fallback).toBe(true);
    expect(home.sections.map((shown) => shown.type)).toEqual([
      'generic-slogan',
      'carousel',
      'basic-square',
      'card',
    ]);
    expect(home.error).toMatch(/generic one/);

    // The link comes back: a fresh page replaces the fallback.
    runAll();
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ action: 'start' }]);
    sockets[1]!.deliver({ type: 'started', generation: 2, data: { personalized: true, scripted: true } });
    expect(home.fallback).toBe(false);
    expect(home.sections).toEqual([]);
    expect(link.start()).toBe(true);
    expect(sockets[1]!.sent).toEqual([{ action: 'start' }, { action: 'start' }]);
    link.close();
    expect(sockets[1]!.readyState).toBe(3);
  });

  it('a page already complete stays when the socket drops', async () => {
    const home = useHomeStore();
    const sockets: FakeSocket[] = [];
    openHomeSocket({
      url: 'ws://shop/ws/nile',
      home,
      api: shop.api(),
      timers: manualTimers().timers,
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    sockets[0]!.open();
    sockets[0]!.deliver({ type: 'started', generation: 1, data: { personalized: true, scripted: false } });
    sockets[0]!.deliver({ type: 'section', generation: 1, data: section(0, 'card', [product(7)]) });
    sockets[0]!.deliver({ type: 'complete', generation: 1, data: { personalized: true, fallback: false } });
    sockets[0]!.drop();
    await settle();
    expect(shop.calls).not.toContain('genericHome');
    expect(home.fallback).toBe(false);
    expect(home.sections.map((shown) => shown.type)).toEqual(['card']);
  });
});

describe('the cart store: the server answers with the cart, and the loop shows ACT then LEARN', () => {
  let shop: FakeShop;
  beforeEach(async () => {
    shop = new FakeShop();
    withApi(shop.api());
    await signedIn(shop);
  });

  it('adds, changes, removes and checks out; every change takes the cart the server answered', async () => {
    const cart = useCartStore();
    const expertise = useExpertiseStore();
    const catalog = useCatalogStore();
    await catalog.search({});
    expect(await cart.add(3, 2)).toBe(true);
    expect(cart.count).toBe(2);
    expect(cart.cart.totalPrice).toBe(26);
    expect(expertise.log.slice(0, 2).map((entry) => [entry.phase, entry.text])).toEqual([
      ['learn', 'Expertise updated: 1 improvement'],
      ['act', 'Added 2 × Product 3 to the cart'],
    ]);
    await cart.add(4);
    const line = cart.cart.items.find((item) => item.product.id === 4)!;
    await cart.setQuantity(line.id, 3);
    expect(cart.count).toBe(5);
    await cart.remove(cart.cart.items.find((item) => item.product.id === 3)!.id);
    expect(cart.cart.items.map((item) => item.product.id)).toEqual([4]);
    expect(expertise.log.find((entry) => entry.phase === 'act')?.text).toBe(
      'Removed Product 3 from the cart',
    );

    const order = await cart.checkout();
    expect(order?.items.map((item) => [item.product.id, item.quantity])).toEqual([[4, 3]]);
    expect(cart.orders[0]?.id).toBe(order?.id);
    expect(cart.isEmpty).toBe(true);
    expect(shop.calls.at(-2)).toBe('cart'); // the emptied cart was read back, not assumed
    expect(expertise.stats).toEqual({ improvements: 4, views: 0, inCart: 1, bought: 3 });
    expect(expertise.log.find((entry) => entry.phase === 'act')?.text).toBe(
      `Checked out ${order?.id} (3 items)`,
    );
  });

  it("keeps the server's message when a change is refused, and the cart as it was", async () => {
    const cart = useCartStore();
    await cart.add(5);
    const before = cart.cart;
    expect(await cart.checkout()).toBeDefined();
    expect(await cart.checkout()).toBeUndefined();
    expect(cart.error).toBe('The cart is empty.');
    await cart.add(999);
    expect(cart.error).toBe('No product 999.');
    expect(cart.cart.items).toEqual([]);
    expect(before.items).toHaveLength(1);
  });

  it('a session that ended elsewhere sends the page back to the sign-in form, saying so', async () => {
    const cart = useCartStore();
    const shopper = useShopperStore();
    shop.shopper = undefined; // signed out in another tab
    await cart.load();
    expect(shopper.state).toBe('signed-out');
    expect(shopper.error).toBe('Your session ended: sign in again.');
    expect(cart.error).toBeUndefined();
  });

  it('setting a quantity to 0 removes the line and records the removal', async () => {
    const cart = useCartStore();
    await cart.add(6);
    await cart.setQuantity(cart.cart.items[0]!.id, 0);
    expect(cart.isEmpty).toBe(true);
    expect(useExpertiseStore().log.find((entry) => entry.phase === 'act')?.text).toBe(
      'Removed Product 6 from the cart',
    );
  });
});

describe('the catalog store', () => {
  let shop: FakeShop;
  beforeEach(async () => {
    shop = new FakeShop();
    withApi(shop.api());
    await signedIn(shop);
  });

  it("keeps only the newest search's answer when an older one arrives late", async () => {
    const catalog = useCatalogStore();
    shop.holdNext.add('products:product 1:');
    const slow = catalog.search({ q: 'product 1' });
    expect(catalog.shownFilter).toBeUndefined(); // nothing shown yet is for it
    const fast = catalog.search({ category: 'Kitchen' });
    await fast;
    shop.release('products:product 1:');
    await slow;
    expect(catalog.filter).toEqual({ category: 'Kitchen' });
    expect(catalog.shownFilter).toEqual({ category: 'Kitchen' });
    expect(catalog.products.every((item) => item.category === 'Kitchen')).toBe(true);
    expect(catalog.total).toBe(15);
  });

  it('pages on with more() without repeating a product', async () => {
    const catalog = useCatalogStore();
    await catalog.search({});
    expect(catalog.products).toHaveLength(24);
    await catalog.more();
    expect(catalog.products.map((item) => item.id)).toEqual(shop.products.map((item) => item.id));
    await catalog.more();
    expect(shop.calls.filter((call) => call.startsWith('products:'))).toHaveLength(2);
    await catalog.search({});
    shop.failNext.add('products::');
    await catalog.more();
    expect(catalog.listError).toBe('products:: is unavailable');
    expect(catalog.products).toHaveLength(24); // what was shown stays
  });

  it('opening a product shows it with its reviews, and the view is an action the server learnt from', async () => {
    const catalog = useCatalogStore();
    const expertise = useExpertiseStore();
    await catalog.open(8);
    expect(catalog.product?.name).toBe('Product 8');
    expect(catalog.reviews.map((review) => review.reviewerName)).toEqual(['Ann']);
    expect(expertise.log.map((entry) => [entry.phase, entry.text])).toEqual([
      ['learn', 'Expertise updated: 1 improvement'],
      ['act', 'Viewed Product 8'],
    ]);
    await catalog.open(404);
    expect(catalog.productState).toBe('failed');
    expect(catalog.productError).toBe('No product 404.');
  });
});

describe('the expertise store', () => {
  let shop: FakeShop;
  beforeEach(async () => {
    shop = new FakeShop();
    withApi(shop.api());
    await signedIn(shop);
  });

  it('lists what the expertise holds newest first, by name, with stats', async () => {
    const catalog = useCatalogStore();
    const cart = useCartStore();
    const expertise = useExpertiseStore();
    await catalog.open(2);
    await catalog.open(9);
    await catalog.open(2);
    await cart.add(9);
    expect(expertise.recentActions.map((action) => [action.kind, action.name, action.count])).toEqual([
      ['added to cart', 'Product 9', 1],
      ['viewed', 'Product 2', 2],
      ['viewed', 'Product 9', 1],
    ]);
    expect(expertise.stats).toEqual({ improvements: 4, views: 3, inCart: 1, bought: 0 });
  });

  it('the panel loads the live prompt; clearing empties the expertise and says so', async () => {
    const catalog = useCatalogStore();
    const expertise = useExpertiseStore();
    await catalog.open(3);
    await expertise.openPanel();
    expect(expertise.panelOpen).toBe(true);
    expect(expertise.livePrompt?.systemPrompt).toContain('Improvements: 1');
    expect(expertise.livePrompt?.prefetchedProducts.viewed.map((item) => item.id)).toEqual([3]);
    await expertise.clear();
    expect(expertise.stats.improvements).toBe(0);
    expect(expertise.recentActions).toEqual([]);
    expect(expertise.livePrompt?.systemPrompt).toContain('Improvements: 0');
    expect(expertise.log[0]?.text).toBe('Expertise cleared: the next home page is the generic one');
  });

  it(`keeps the last ${cycleLogLength} steps of the loop`, async () => {
    const expertise = useExpertiseStore();
    for (let i = 0; i < cycleLogLength + 5; i += 1) expertise.reused(`page ${i}`);
    expect(expertise.log).toHaveLength(cycleLogLength);
    expect(expertise.log[0]?.text).toBe(`page ${cycleLogLength + 4}`);
    expect(new Set(expertise.log.map((entry) => entry.id)).size).toBe(cycleLogLength);
  });
});

describe('the shopper store', () => {
  let shop: FakeShop;
  beforeEach(() => {
    shop = new FakeShop();
    withApi(shop.api());
  });

  it('without a session it is signed out with nothing to report; signing in and out follow the server', async () => {
    const shopper = useShopperStore();
    expect(shopper.state).toBe('unknown');
    await shopper.load();
    expect(shopper.state).toBe('signed-out');
    expect(shopper.error).toBeUndefined();
    expect(await shopper.signIn('  ')).toBe(false);
    expect(shopper.error).toBe('body.name must not be empty');
    expect(await shopper.signIn('Grace')).toBe(true);
    expect(shopper.shopper?.name).toBe('Grace');
    await shopper.load();
    expect(shopper.signedIn).toBe(true);
    shop.failNext.add('signOut');
    await shopper.signOut();
    expect(shopper.state).toBe('signed-in'); // the server still has the session: not signed out
    expect(shopper.error).toBe('Signing out failed: signOut is unavailable');
    await shopper.signOut();
    expect(shopper.state).toBe('signed-out');
    expect(shopper.error).toBeUndefined();
    await shopper.load();
    expect(shopper.state).toBe('signed-out');
  });
});

describe('routes', () => {
  it('round-trip through the hash, and anything unknown is the home page', () => {
    const routes: Route[] = [
      { name: 'home' },
      { name: 'products' },
      { name: 'products', q: 'desk lamp', category: 'Home & Office' },
      { name: 'product', id: 42 },
      { name: 'cart' },
      { name: 'checkout' },
      { name: 'orders' },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
    expect(parseRoute('#/products/abc')).toEqual({ name: 'products' });
    expect(parseRoute('#/products/-3')).toEqual({ name: 'products' });
    expect(parseRoute('#/elsewhere')).toEqual({ name: 'home' });
    expect(parseRoute('')).toEqual({ name: 'home' });
  });
});
