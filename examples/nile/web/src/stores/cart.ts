import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CartResponse, Order } from '@nile-protocol';
import { errorText, isSignedOut } from '../api/errors.ts';
import { useNileApi } from '../api/nile-api.ts';
import { useExpertiseStore } from './expertise.ts';
import { useShopperStore } from './shopper.ts';

const emptyCart: CartResponse = { items: [], totalItems: 0, totalPrice: 0 };

/**
 * The shopper's cart and orders, as the server has them: every change answers with the whole cart,
 * which replaces this one (nothing is computed here that the server did not say). Adding, removing
 * and checking out are actions the server learns from; the page records none itself.
 */
export const useCartStore = defineStore('nile-cart', () => {
  const api = useNileApi();
  const expertise = useExpertiseStore();

  const cart = ref<CartResponse>(emptyCart);
  const orders = ref<Order[]>([]);
  const lastOrder = ref<Order | undefined>();
  /** The cart line (or `checkout`, `add:<productId>`) whose change is on its way. */
  const pending = ref<string | undefined>();
  const error = ref<string | undefined>();

  const count = computed(() => cart.value.totalItems);
  const isEmpty = computed(() => cart.value.items.length === 0);

  function apply(next: CartResponse): void {
    cart.value = next;
    expertise.know(next.items.map((item) => item.product));
  }

  async function run<T>(key: string, call: () => Promise<T>): Promise<T | undefined> {
    pending.value = key;
    try {
      const result = await call();
      error.value = undefined;
      return result;
    } catch (caught) {
      if (isSignedOut(caught)) useShopperStore().sessionEnded();
      else error.value = errorText(caught);
      return undefined;
    } finally {
      if (pending.value === key) pending.value = undefined;
    }
  }

  async function load(): Promise<void> {
    const next = await run('load', () => api.cart());
    if (next) apply(next);
  }

  async function add(productId: number, quantity = 1): Promise<boolean> {
    const next = await run(`add:${productId}`, () => api.addToCart({ productId, quantity }));
    if (!next) return false;
    apply(next);
    await expertise.acted(`Added ${quantity} × ${expertise.nameOf(productId)} to the cart`);
    return true;
  }

  async function setQuantity(itemId: number, quantity: number): Promise<void> {
    const item = cart.value.items.find((line) => line.id === itemId);
    const next = await run(`item:${itemId}`, () => api.setQuantity(itemId, quantity));
    if (!next) return;
    apply(next);
    if (item && quantity <= 0) await expertise.acted(`Removed ${item.product.name} from the cart`);
  }

  async function remove(itemId: number): Promise<void> {
    const item = cart.value.items.find((line) => line.id === itemId);
    const next = await run(`item:${itemId}`, () => api.removeFromCart(itemId));
    if (!next) return;
    apply(next);
    if (item) await expertise.acted(`Removed ${item.product.name} from the cart`);
  }

  async function checkout(): Promise<Order | undefined> {
    const order = await run('checkout', () => api.checkout());
    if (!order) return undefined;
    lastOrder.value = order;
    orders.value = [order, ...orders.value.filter((known) => known.id !== order.id)];
    await load(); // the server emptied it in the checkout's transaction
    const items = order.items.reduce((total, item) => total + item.quantity, 0);
    await expertise.acted(`Checked out ${order.id} (${items} item${items === 1 ? '' : 's'})`);
    return order;
  }

  async function loadOrders(): Promise<void> {
    const next = await run('orders', () => api.orders());
    if (next) orders.value = next;
  }

  function reset(): void {
    cart.value = emptyCart;
    orders.value = [];
    lastOrder.value = undefined;
    error.value = undefined;
  }

  return {
    cart,
    orders,
    lastOrder,
    pending,
    error,
    count,
    isEmpty,
    load,
    add,
    setQuantity,
    remove,
    checkout,
    loadOrders,
    reset,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useCartStore, import.meta.hot));
