import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { kindLabel, parseRupiah, rupiah, time } from '../format.js';
import { Link, navigate } from '../router.jsx';
import {
  Card, Field, FormError, Loading, Modal, Select, ShownOnce, Table, fieldError, useForm, useLoad,
} from '../ui.jsx';

const levels = [['standar', 'Standar'], ['premium', 'Premium'], ['spesial', 'Spesial']];

export function Accounts() {
  const state = useLoad(() => get('accounts'), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState(null);
  const [filter, setFilter] = useState('');
  const f = filter.trim().toLowerCase();
  return (
    <>
      <div class="page-head">
        <h1>Accounts</h1>
        <button type="button" class="btn primary" onClick={() => setCreating(true)}>New account</button>
      </div>
      {created && (
        <ShownOnce title={`API key of ${created.account.name} (${created.account.user_id})`} value={created.api_key}
          onClose={() => { setCreated(null); navigate(`/accounts/${encodeURIComponent(created.account.user_id)}`); }} />
      )}
      {creating && (
        <CreateAccount onClose={() => setCreating(false)}
          onCreated={(r) => { setCreating(false); setCreated(r); state.reload(); }} />
      )}
      <Loading state={state}>{(d) => (
        <Card>
          <div class="toolbar">
            <input type="search" placeholder="Filter by name or user id" aria-label="Filter accounts" value={filter}
              onInput={(e) => setFilter(e.target.value)} />
            <span class="muted">{d.accounts.length} accounts</span>
          </div>
          <Table label="Accounts" head={['User ID', 'Name', 'Level', 'Status', { label: 'Balance', num: true }, 'Since']}
            empty="No accounts yet: create the first one."
            rows={d.accounts
              .filter((a) => !f || a.name.toLowerCase().includes(f) || a.user_id.toLowerCase().includes(f))
              .map((a) => (
                <tr>
                  <td><Link href={`/accounts/${encodeURIComponent(a.user_id)}`} class="mono">{a.user_id}</Link></td>
                  <td>{a.name}</td><td>{a.level}</td>
                  <td><span class={`badge ${a.status === 'active' ? 's-success' : 's-error'}`}>{a.status}</span></td>
                  <td class="num">{rupiah(a.balance)}</td><td class="nowrap">{time(a.created_at)}</td>
                </tr>
              ))} />
        </Card>
      )}</Loading>
    </>
  );
}

function CreateAccount({ onClose, onCreated }) {
  const form = useForm({ name: '', level: 'standar' });
  const submit = (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      if (!v.name.trim()) throw fieldError('name', 'Give the account a name (the reseller\'s shop or person).');
      onCreated(await post('accounts', { name: v.name.trim(), level: v.level }));
    });
  };
  return (
    <Modal title="New account" onClose={onClose}>
      <form onSubmit={submit} class="stack" novalidate>
        <FormError form={form} />
        <Field label="Name" name="name" form={form} autofocus />
        <Select label="Price level" name="level" form={form} options={levels} />
        <button class="btn primary" type="submit" disabled={form.busy}>Create account</button>
      </form>
    </Modal>
  );
}

export function AccountDetail({ user }) {
  const state = useLoad(() => get(`accounts/${encodeURIComponent(user)}`, { ledger_limit: 100 }), [user]);
  const orders = useLoad(() => get('orders', { user_id: user, per_page: 10 }), [user]);
  const [secret, setSecret] = useState(null);
  const reload = () => { state.reload(); orders.reload(); };
  return (
    <>
      <div class="page-head">
        <h1>Account <span class="mono">{user}</span></h1>
        <Link href="/accounts" class="btn ghost">All accounts</Link>
      </div>
      {secret && <ShownOnce title={secret.title} value={secret.value} onClose={() => setSecret(null)} />}
      <Loading state={state}>{(d) => (
        <div class="grid">
          <Card title={d.account.name} class="wide">
            <dl class="facts">
              <div><dt>Balance</dt><dd class="big" data-testid="balance">{rupiah(d.account.balance)}</dd></div>
              <div><dt>Status</dt><dd><span class={`badge ${d.account.status === 'active' ? 's-success' : 's-error'}`}>{d.account.status}</span></dd></div>
              <div><dt>Level</dt><dd>{d.account.level}</dd></div>
              <div><dt>Callback URL</dt><dd class="break">{d.account.callback_url || <span class="muted">none</span>}</dd></div>
              <div><dt>Since</dt><dd>{time(d.account.created_at)}</dd></div>
            </dl>
            <AccountActions a={d.account} reload={reload} setSecret={setSecret} />
          </Card>
          <Balance a={d.account} reload={reload} />
          <Level a={d.account} reload={reload} />
          <Callback a={d.account} reload={reload} setSecret={setSecret} />
          <Overrides a={d.account} overrides={d.price_overrides} reload={reload} />
          <Card title="Ledger" class="wide">
            <Table label="Ledger" head={['When', 'Reason', 'Reference', { label: 'Amount', num: true }, { label: 'Balance after', num: true }]}
              empty="No balance changes yet."
              rows={d.ledger.map((e) => (
                <tr data-testid="ledger-row">
                  <td class="nowrap">{time(e.created_at)}</td><td>{e.reason}</td>
                  <td class="break">{e.reason === 'order' || e.reason === 'refund'
                    ? <Link href={`/orders/${encodeURIComponent(e.ref)}`} class="mono">{e.ref}</Link> : e.ref}</td>
                  <td class={`num ${e.amount < 0 ? 'neg' : 'pos'}`}>{rupiah(e.amount)}</td>
                  <td class="num">{rupiah(e.balance_after)}</td>
                </tr>
              ))} />
          </Card>
          <Card title="Latest orders" class="wide"
            actions={<Link href={`/orders?user_id=${encodeURIComponent(user)}`}>All orders of this account</Link>}>
            <Loading state={orders}>{(o) => <OrdersMini orders={o.orders} />}</Loading>
          </Card>
        </div>
      )}</Loading>
    </>
  );
}

function OrdersMini({ orders }) {
  return (
    <Table label="Latest orders" head={['Ref ID', 'Service', { label: 'Price', num: true }, 'Status', 'Placed']}
      empty="No orders yet."
      rows={orders.map((o) => (
        <tr>
          <td><Link href={`/orders/${encodeURIComponent(o.ref_id)}`} class="mono">{o.ref_id}</Link></td>
          <td>{o.name}</td><td class="num">{rupiah(o.price)}</td>
          <td><span class={`badge s-${o.status}`}>{o.status}</span></td><td class="nowrap">{time(o.created_at)}</td>
        </tr>
      ))} />
  );
}

function AccountActions({ a, reload, setSecret }) {
  const [error, setError] = useState('');
  const act = async (path, confirmText, after) => {
    if (confirmText && !window.confirm(confirmText)) return;
    setError('');
    try {
      const r = await post(`accounts/${encodeURIComponent(a.user_id)}/${path}`);
      if (after) after(r);
      reload();
    } catch (e) {
      setError(e.message);
    }
  };
  return (
    <div class="row actions">
      {error && <div class="notice error" role="alert">{error}</div>}
      {a.status === 'active'
        ? <button type="button" class="btn danger" onClick={() => act('suspend', `Suspend ${a.name}? Its API calls will be refused.`)}>Suspend</button>
        : <button type="button" class="btn" onClick={() => act('activate')}>Activate</button>}
      <button type="button" class="btn" onClick={() => act('rotate-key', 'Rotate the API key? The current key stops working at once.',
        (r) => setSecret({ title: `New API key of ${a.user_id}`, value: r.api_key }))}>Rotate API key</button>
    </div>
  );
}

function Balance({ a, reload }) {
  const form = useForm({ amount: '', note: '' });
  const submit = (direction) => (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      const amount = parseRupiah(v.amount);
      if (!Number.isInteger(amount) || amount < 1) throw fieldError('amount', 'Enter an amount in whole rupiah, at least Rp 1.');
      if (!v.note.trim()) throw fieldError('note', 'Say why (e.g. "transfer BCA 21/11"): the note is kept in the ledger.');
      await post(`accounts/${encodeURIComponent(a.user_id)}/${direction}`, { amount, note: v.note.trim() });
      form.setValues({ amount: '', note: '' });
      reload();
    });
  };
  return (
    <Card title="Credit or debit">
      <form class="stack" onSubmit={submit('credit')} novalidate data-testid="balance-form">
        <FormError form={form} />
        <Field label="Amount (Rp)" name="amount" form={form} inputmode="numeric" placeholder="500.000" />
        <Field label="Note" name="note" form={form} placeholder="transfer BCA 21/11" />
        <div class="row">
          <button class="btn primary" type="submit" disabled={form.busy}>Credit</button>
          <button class="btn" type="button" disabled={form.busy} onClick={submit('debit')}>Debit</button>
        </div>
      </form>
    </Card>
  );
}

function Level({ a, reload }) {
  const form = useForm({ level: a.level });
  const submit = (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      await post(`accounts/${encodeURIComponent(a.user_id)}/level`, { level: v.level });
      reload();
    });
  };
  return (
    <Card title="Price level">
      <form class="stack" onSubmit={submit}>
        <FormError form={form} />
        <Select label="Level" name="level" form={form} options={levels} />
        <button class="btn" type="submit" disabled={form.busy || form.values.level === a.level}>Change level</button>
      </form>
    </Card>
  );
}

function Callback({ a, reload, setSecret }) {
  const form = useForm({ url: a.callback_url });
  const submit = (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      const url = v.url.trim();
      if (url && !/^https?:\/\/\S+$/.test(url)) throw fieldError('url', 'The callback URL starts with http:// or https://.');
      const r = await post(`accounts/${encodeURIComponent(a.user_id)}/callback`, { url });
      if (r.secret) setSecret({ title: `Webhook signing secret of ${a.user_id}`, value: r.secret });
      reload();
    });
  };
  return (
    <Card title="Webhook callback">
      <form class="stack" onSubmit={submit} novalidate>
        <FormError form={form} />
        <Field label="Callback URL" name="url" form={form} placeholder="https://reseller.example/warung-callback"
          hint="Empty stops webhooks. Saving makes a new signing secret." />
        <button class="btn" type="submit" disabled={form.busy}>Save callback</button>
      </form>
    </Card>
  );
}

function Overrides({ a, overrides, reload }) {
  const form = useForm({ kind: 'social-media', code: '', price: '' });
  const submit = (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      if (!v.code.trim()) throw fieldError('code', 'Which service? Its code, e.g. ML86.');
      const price = v.price.trim() === '' ? null : parseRupiah(v.price);
      if (price !== null && (!Number.isInteger(price) || price < 0)) throw fieldError('price', 'A price in whole rupiah, or empty to remove.');
      await post(`accounts/${encodeURIComponent(a.user_id)}/price`, { kind: v.kind, code: v.code.trim(), price });
      form.setValues({ ...v, code: '', price: '' });
      reload();
    });
  };
  const remove = async (o) => {
    await post(`accounts/${encodeURIComponent(a.user_id)}/price`, { kind: o.kind, code: o.code, price: null });
    reload();
  };
  return (
    <Card title="Price overrides" class="wide">
      <Table label="Price overrides" head={['Kind', 'Service', { label: 'Price', num: true }, '']}
        empty="This account pays its level's prices."
        rows={overrides.map((o) => (
          <tr>
            <td>{kindLabel[o.kind]}</td><td>{o.code}</td><td class="num">{rupiah(o.price)}</td>
            <td><button type="button" class="btn ghost small" onClick={() => remove(o)}>Remove</button></td>
          </tr>
        ))} />
      <form class="inline-form" onSubmit={submit} novalidate>
        <FormError form={form} />
        <Select label="Kind" name="kind" form={form} options={Object.entries(kindLabel)} />
        <Field label="Service code" name="code" form={form} />
        <Field label="Price (Rp)" name="price" form={form} inputmode="numeric" hint="Per 1.000 for social media; empty removes." />
        <button class="btn" type="submit" disabled={form.busy}>Set price</button>
      </form>
    </Card>
  );
}
