import { get, post } from '../api.js';
import { kindLabel, number, rupiah, statusLabel, time } from '../format.js';
import { Link, navigate } from '../router.jsx';
import {
  Badge, Card, Field, FormError, Loading, Pager, Select, Table, fieldError, useForm, useLoad,
} from '../ui.jsx';

const filterKeys = ['ref_id', 'user_id', 'service', 'status', 'kind', 'target', 'from', 'to'];

export function Orders({ query }) {
  const filters = Object.fromEntries(filterKeys.map((k) => [k, query.get(k) || '']));
  const page = Number(query.get('page')) || 1;
  const form = useForm(filters);
  const state = useLoad(() => get('orders', { ...filters, page, per_page: 50 }), [query.toString()]);

  const go = (vals, p = 1) => {
    const q = new URLSearchParams(Object.entries(vals).filter(([, v]) => v));
    if (p > 1) q.set('page', String(p));
    navigate(`/orders${[...q].length ? `?${q}` : ''}`);
  };
  const search = (e) => {
    e.preventDefault();
    form.submit(async (vals) => {
      if (vals.from && vals.to && vals.from > vals.to) throw fieldError('to', 'The end date is before the start date.');
      go(vals);
    });
  };
  // The server names the filter it refused (e.g. "from"): show it next to that input.
  const serverError = state.error;
  const errorForm = serverError && serverError.field && serverError.field in filters
    ? { ...form, errors: { ...form.errors, [serverError.field]: serverError.message } } : form;

  return (
    <>
      <div class="page-head"><h1>Orders</h1></div>
      <Card>
        <form class="filters" onSubmit={search}>
          <Field label="Ref ID" name="ref_id" form={errorForm} placeholder="e.g. WRG7K2…" />
          <Field label="Account" name="user_id" form={errorForm} placeholder="user id" />
          <Field label="Service code" name="service" form={errorForm} />
          <Field label="Target" name="target" form={errorForm} placeholder="link, player id, phone" />
          <Select label="Status" name="status" form={errorForm}
            options={[['', 'Any status'], ...Object.entries(statusLabel)]} />
          <Select label="Kind" name="kind" form={errorForm} options={[['', 'Both kinds'], ...Object.entries(kindLabel)]} />
          <Field label="From" name="from" type="date" form={errorForm} />
          <Field label="To" name="to" type="date" form={errorForm} />
          <div class="filter-actions">
            <button class="btn primary" type="submit">Search</button>
            <button class="btn ghost" type="button" onClick={() => { form.setValues(Object.fromEntries(filterKeys.map((k) => [k, '']))); go({}); }}>Clear</button>
          </div>
        </form>
      </Card>
      {serverError && !(serverError.field in filters) && <div class="notice error" role="alert">{serverError.message}</div>}
      {!serverError && (
        <Loading state={state}>{(d) => (
          <Card>
            <OrderTable orders={d.orders} />
            <Pager page={d.page} hasMore={d.has_more} onPage={(p) => go(filters, p)} />
          </Card>
        )}</Loading>
      )}
    </>
  );
}

export function OrderTable({ orders, showAccount = true }) {
  return (
    <Table label="Orders"
      head={['Ref ID', ...(showAccount ? ['Account'] : []), 'Service', 'Target', { label: 'Qty', num: true },
        { label: 'Price', num: true }, 'Status', 'Placed']}
      empty="No orders match."
      rows={orders.map((o) => (
        <tr>
          <td><Link href={`/orders/${encodeURIComponent(o.ref_id)}`} class="mono">{o.ref_id}</Link></td>
          {showAccount && <td><Link href={`/accounts/${encodeURIComponent(o.user_id)}`}>{o.user_id}</Link></td>}
          <td>{o.name}<div class="muted small">{o.service}</div></td>
          <td class="ellipsis" title={o.target}>{o.target}</td>
          <td class="num">{o.kind === 'game' ? '' : number(o.quantity)}</td>
          <td class="num">{rupiah(o.price)}</td>
          <td><Badge status={o.status} /></td>
          <td class="nowrap">{time(o.created_at)}</td>
        </tr>
      ))} />
  );
}

// The moves the state machine allows from each status (domain/order_state).
function nextStatuses(o) {
  if (o.status === 'waiting') return o.kind === 'game' ? ['processing', 'success', 'error'] : ['processing', 'success', 'partial', 'error'];
  if (o.status === 'processing') return o.kind === 'game' ? ['success', 'error'] : ['success', 'partial', 'error'];
  return [];
}

export function OrderDetail({ ref }) {
  const state = useLoad(() => get(`orders/${encodeURIComponent(ref)}`), [ref]);
  return (
    <>
      <div class="page-head">
        <h1>Order <span class="mono">{ref}</span></h1>
        <Link href="/orders" class="btn ghost">All orders</Link>
      </div>
      <Loading state={state}>{(d) => <OrderStory d={d} reload={state.reload} />}</Loading>
    </>
  );
}

function OrderStory({ d, reload }) {
  const o = d.order;
  return (
    <div class="grid">
      <Card title="Order" class="wide">
        <dl class="facts">
          <div><dt>Status</dt><dd><Badge status={o.status} /></dd></div>
          <div><dt>Account</dt><dd><Link href={`/accounts/${encodeURIComponent(o.user_id)}`}>{o.user_id}</Link></dd></div>
          <div><dt>Service</dt><dd>{o.name} <span class="muted">{o.service} · {kindLabel[o.kind]}</span></dd></div>
          <div><dt>Target</dt><dd class="break">{o.target}</dd></div>
          {o.data.filter(Boolean).length > 1 && <div><dt>Data</dt><dd class="break">{o.data.filter(Boolean).join(' · ')}</dd></div>}
          {o.kind !== 'game' && <div><dt>Quantity</dt><dd>{number(o.quantity)}</dd></div>}
          <div><dt>Charged</dt><dd data-testid="order-price">{rupiah(o.price)}</dd></div>
          {o.kind !== 'game' && <div><dt>Start / remain</dt><dd>{number(o.start)} / {number(o.remain)}</dd></div>}
          {o.voucher && <div><dt>Voucher / serial</dt><dd class="mono break">{o.voucher}</dd></div>}
          {o.note && <div><dt>Note</dt><dd>{o.note}</dd></div>}
          {o.idempotency_key && <div><dt>Idempotency key</dt><dd class="mono">{o.idempotency_key}</dd></div>}
          <div><dt>Placed</dt><dd>{time(o.created_at)}</dd></div>
          <div><dt>Last change</dt><dd>{time(o.updated_at)}</dd></div>
        </dl>
      </Card>
      <SetStatus order={o} done={reload} />
      {d.dispatch && (
        <Card title="Fulfilment">
          <dl class="facts">
            <div><dt>Phase</dt><dd>{d.dispatch.phase}</dd></div>
            <div><dt>Provider</dt><dd>{d.dispatch.provider || <span class="muted">none (manual)</span>}</dd></div>
            {d.dispatch.provider_order_id && <div><dt>Provider's order</dt><dd class="mono">{d.dispatch.provider_order_id}</dd></div>}
            <div><dt>Attempts</dt><dd>{d.dispatch.attempts}</dd></div>
            {d.dispatch.last_error && <div><dt>Last error</dt><dd class="break">{d.dispatch.last_error}</dd></div>}
            <div><dt>Updated</dt><dd>{time(d.dispatch.updated_at)}</dd></div>
          </dl>
        </Card>
      )}
      <Card title="Story" class="wide">
        <ol class="timeline">
          {d.events.map((e) => (
            <li class={`ev-${e.kind}`}>
              <time>{time(e.at)}</time>
              <span class="ev-kind">{e.kind}</span>
              <pre class="ev-detail">{e.detail}</pre>
            </li>
          ))}
          {d.events.length === 0 && <li class="muted">No events recorded.</li>}
        </ol>
      </Card>
      <Card title="Webhook deliveries" class="wide">
        <Table label="Webhook deliveries" head={['#', 'URL', 'Status', 'Attempts', 'Created', 'Last error']}
          empty="No callback URL, or no deliveries yet."
          rows={d.webhooks.map((w) => (
            <tr>
              <td>{w.id}</td><td class="ellipsis" title={w.url}>{w.url}</td><td>{w.status}</td>
              <td>{w.attempts}</td><td class="nowrap">{time(w.created_at)}</td><td class="break">{w.last_error}</td>
            </tr>
          ))} />
      </Card>
    </div>
  );
}

function SetStatus({ order, done }) {
  const options = nextStatuses(order);
  const form = useForm({ status: options[0] || '', start: '', remain: '', voucher: '', note: '' });
  if (options.length === 0) {
    return (
      <Card title="Set status">
        <p class="muted">This order is final ({order.status}); its status can no longer change.</p>
      </Card>
    );
  }
  const s = form.values.status;
  const submit = (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      const body = { status: v.status };
      if (v.note.trim()) body.note = v.note.trim();
      if (v.status === 'success' && order.kind === 'game' && v.voucher.trim()) body.voucher = v.voucher.trim();
      if (order.kind !== 'game' && (v.status === 'success' || v.status === 'processing') && v.start !== '') {
        if (!/^\d+$/.test(v.start)) throw fieldError('start', 'The start count is a whole number.');
        body.start = Number(v.start);
      }
      if (v.status === 'partial') {
        if (!/^\d+$/.test(v.remain)) throw fieldError('remain', 'How many were not delivered? A whole number.');
        body.remain = Number(v.remain);
      }
      await post(`orders/${encodeURIComponent(order.ref_id)}/status`, body);
      done();
    });
  };
  return (
    <Card title="Set status">
      <form onSubmit={submit} class="stack" data-testid="set-status">
        <FormError form={form} />
        <Field label="New status" name="status" form={form}>
          <div class="segmented" role="radiogroup" aria-label="New status">
            {options.map((o) => (
              <label class={s === o ? 'on' : ''}>
                <input type="radio" name="status" value={o} checked={s === o} onChange={form.set('status')} />{statusLabel[o]}
              </label>
            ))}
          </div>
        </Field>
        {order.kind !== 'game' && (s === 'success' || s === 'processing') && (
          <Field label="Start count" name="start" form={form} inputmode="numeric" hint="The target's count before delivery (optional)." />
        )}
        {s === 'partial' && <Field label="Remain" name="remain" form={form} inputmode="numeric" hint={`Not delivered, of ${number(order.quantity)}; refunded pro rata.`} />}
        {order.kind === 'game' && s === 'success' && <Field label="Voucher / serial number" name="voucher" form={form} />}
        {s === 'error' && <p class="hint">The account is refunded {rupiah(order.price)} at once.</p>}
        <Field label="Note" name="note" form={form} hint="Shown to the reseller in the order's note." />
        <button class="btn primary" type="submit" disabled={form.busy}>Set to {statusLabel[s]}</button>
      </form>
    </Card>
  );
}
