-- Nile, baton's product-expert example: an adaptive shop in its own schema of baton's database.
-- Applied by examples/nile/server/migrations.ts with its own version table (nile.migrations).

create table nile.shoppers (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 1 and 40),
  -- The baton agent whose runs generate this shopper's home page (one per shopper, for the control room).
  home_agent_id uuid,
  created_at timestamptz not null default now()
);

-- A sign-in: the cookie carries a random token, the table only its SHA-256.
create table nile.sessions (
  token_hash text primary key,
  shopper_id uuid not null references nile.shoppers (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_shopper on nile.sessions (shopper_id);

create table nile.products (
  id integer primary key,
  name text not null,
  description text not null,
  price numeric(10, 2) not null check (price > 0),
  category text not null,
  brand text not null,
  rating numeric(2, 1) not null check (rating between 1 and 5),
  shipping_speed text not null check (shipping_speed in ('standard', 'express', 'overnight')),
  image_path text not null,
  created_at timestamptz not null default now()
);
create index products_category on nile.products (category);

create table nile.reviews (
  id integer primary key,
  product_id integer not null references nile.products (id) on delete cascade,
  reviewer_name text not null,
  rating integer not null check (rating between 1 and 5),
  review_text text not null,
  review_date date not null
);
create index reviews_product on nile.reviews (product_id);

create table nile.cart_items (
  id integer generated always as identity primary key,
  shopper_id uuid not null references nile.shoppers (id) on delete cascade,
  product_id integer not null references nile.products (id),
  quantity integer not null check (quantity between 1 and 99),
  added_at timestamptz not null default now(),
  unique (shopper_id, product_id)
);

create table nile.orders (
  id text primary key,
  shopper_id uuid not null references nile.shoppers (id) on delete cascade,
  total numeric(12, 2) not null,
  created_at timestamptz not null default now()
);
create index orders_shopper on nile.orders (shopper_id, created_at desc);

create table nile.order_items (
  order_id text not null references nile.orders (id) on delete cascade,
  product_id integer not null references nile.products (id),
  quantity integer not null check (quantity > 0),
  price_at_purchase numeric(10, 2) not null,
  primary key (order_id, product_id)
);

-- What the shop has learnt about a shopper (LEARN): {viewed, addedToCart, checkedOut}, each a list of
-- {productId, count, lastAt}. Written only by the server, in the transaction of the action it learns from.
create table nile.expertise (
  shopper_id uuid primary key references nile.shoppers (id) on delete cascade,
  data jsonb not null default '{"viewed": [], "addedToCart": [], "checkedOut": []}',
  total_improvements integer not null default 0 check (total_improvements >= 0),
  last_improvement_at timestamptz
);
