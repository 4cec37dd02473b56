// Loads the peers' 5,000 promotions over 300 stores (`gen-promos.js`, default seed) into a fresh server
// through its sync endpoint, as the administrator: each store a retail_store customer of the company,
// each promotion in its store with the peers' inclusive end. Usage: node calendar-load.mjs URL LOGIN
// PASSWORD promos-5000.json
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [base, login, password, file] = process.argv.slice(2);
const api = (path) => new URL(`api/v1/${path}`, base).toString();
const post = async (path, body, token) => {
  const response = await fetch(api(path), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
};
/// A record id in the app's form (UUID version 7).
const newId = () => {
  const hex = Date.now().toString(16).padStart(12, '0');
  const random = randomUUID().replace(/-/g, '');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${random.slice(13, 16)}-${random.slice(16, 20)}-${random.slice(20, 32)}`;
};

const { token, user } = await post('auth/login', { login, password });
const pulled = await post('sync/pull', { client_id: randomUUID(), limit: 5000 }, token);
const company = pulled.records.find((r) => r.collection === 'org_units' && r.fields.kind === 'company');
const me = user.user_id;

const promos = JSON.parse(readFileSync(file, 'utf8'));
const kinds = { 满减: 'coupon', 折扣: 'discount', 买赠: 'gift', 特价: 'discount', 陈列: 'display', 试吃: 'tasting' };
const stores = new Map();
for (const p of promos) if (!stores.has(p.store)) stores.set(p.store, newId());
const creates = [
  ...[...stores].map(([name, id]) => ({
    collection: 'customers',
    id,
    fields: { name, kind: 'retail_store', region_unit_id: company.id, owner_id: me },
  })),
  ...promos.map((p) => ({
    collection: 'promotions',
    id: newId(),
    fields: {
      name: `${p.store} ${p.name}`, kind: kinds[p.type] ?? 'other', unit_id: company.id,
      store_ids: [stores.get(p.store)], starts_on: p.start, ends_on: p.end, status: 'approved',
    },
  })),
];
const clientId = randomUUID();
let next = 1;
for (let at = 0; at < creates.length; at += 500) {
  const mutations = creates.slice(at, at + 500).map((args) => ({
    id: next,
    hlc: `${String(Date.now()).padStart(15, '0')}-${String(next++ % 100000).padStart(5, '0')}-${clientId}`,
    name: 'create',
    args,
  }));
  const { outcomes } = await post('sync/push', { client_id: clientId, mutations }, token);
  const refused = outcomes.filter((o) => o.outcome !== 'applied');
  if (refused.length) throw new Error(`refused: ${JSON.stringify(refused[0])}`);
}
console.log(`loaded ${stores.size} stores and ${promos.length} promotions`);
