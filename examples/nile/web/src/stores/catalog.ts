import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { CategoriesResponse, Product, Review } from '@nile-protocol';
import { errorText } from '../api/errors.ts';
import { useNileApi } from '../api/nile-api.ts';
import { useExpertiseStore } from './expertise.ts';

export interface ProductFilter {
  q?: string;
  category?: string;
}

/** How many products a listing shows at a time. */
export const pageSize = 24;

/**
 * The shop's products: the listing for the current search and category, the categories to filter by,
 * and the product page. Only the newest request's answer is kept, so typing fast never shows the
 * answer to an older search.
 */
export const useCatalogStore = defineStore('nile-catalog', () => {
  const api = useNileApi();
  const expertise = useExpertiseStore();

  const categories = ref<CategoriesResponse['categories']>([]);
  /** The filter asked for last, and the one the products shown are for (they differ while loading). */
  const filter = ref<ProductFilter>({});
  const shownFilter = ref<ProductFilter | undefined>();
  const products = ref<Product[]>([]);
  const total = ref(0);
  const listing = ref<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  const listError = ref<string | undefined>();

  const product = ref<Product | undefined>();
  const reviews = ref<Review[]>([]);
  const productState = ref<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  const productError = ref<string | undefined>();

  let listRequest = 0;
  let productRequest = 0;

  async function loadCategories(): Promise<void> {
    if (categories.value.length > 0) return;
    try {
      categories.value = await api.categories();
    } catch (caught) {
      listError.value = errorText(caught);
    }
  }

  /** The first page of products for `next`; `more()` appends the next page of the same filter. */
  async function search(next: ProductFilter): Promise<void> {
    const request = ++listRequest;
    filter.value = { ...next };
    listing.value = 'loading';
    try {
      const page = await api.products({ ...next, limit: pageSize });
      if (request !== listRequest) return;
      products.value = page.products;
      total.value = page.total;
      shownFilter.value = { ...next };
      listing.value = 'ready';
      listError.value = undefined;
      expertise.know(page.products);
    } catch (caught) {
      if (request !== listRequest) return;
      listing.value = 'failed';
      listError.value = errorText(caught);
    }
  }

  async function more(): Promise<void> {
    if (products.value.length >= total.value) return;
    const request = ++listRequest;
    try {
      const page = await api.products({ ...filter.value, limit: pageSize, offset: products.value.length });
      if (request !== listRequest) return;
      const seen = new Set(products.value.map((item) => item.id));
      products.value = [...products.value, ...page.products.filter((item) => !seen.has(item.id))];
      total.value = page.total;
      listError.value = undefined;
      expertise.know(page.products);
    } catch (caught) {
      if (request === listRequest) listError.value = errorText(caught);
    }
  }

  /**
   * Opens a product page. The server records the view (signed in: LEARN happens with the read), so
   * this is an action of the shopper's too (ACT).
   */
  async function open(productId: number): Promise<void> {
    const request = ++productRequest;
    productState.value = 'loading';
    if (product.value?.id !== productId) {
      product.value = undefined;
      reviews.value = [];
    }
    try {
      const detail = await api.product(productId);
      if (request !== productRequest) return;
      product.value = detail.product;
      reviews.value = detail.reviews;
      productState.value = 'ready';
      productError.value = undefined;
      expertise.know([detail.product]);
      await expertise.acted(`Viewed ${detail.product.name}`);
    } catch (caught) {
      if (request !== productRequest) return;
      productState.value = 'failed';
      productError.value = errorText(caught);
    }
  }

  return {
    categories,
    filter,
    shownFilter,
    products,
    total,
    listing,
    listError,
    product,
    reviews,
    productState,
    productError,
    loadCategories,
    search,
    more,
    open,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useCatalogStore, import.meta.hot));
