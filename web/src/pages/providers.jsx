import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { number, rupiah, time } from '../format.js';
import { Card, Field, FormError, Loading, Modal, Table, fieldError, useForm, useLoad } from '../ui.jsx';

export function Providers() {
  const [balances, setBalances] = useState(false);
  const state = useLoad(() => get('providers', balances ? { balance: 1 } : {}), [balances]);
  const [syncing, setSyncing] = useState(null);
  const [message, setMessage] = useState(null);
  const toggle = async (p) => {
    setMessage(null);
    try {
      await post(`providers/${encodeURIComponent(p.name)}/${p.enabled ? 'disable' : 'enable'}`);
      state.reload();
    } catch (e) {
      setMessage({ error: true, text: e.message });
    }
  };
  return (
    <>
      <div class="page-head">
        <h1>Providers</h1>
        <button type="button" class="btn ghost" onClick={() => (balances ? state.reload() : setBalances(true))}>
          {balances ? 'Refresh balances' : 'Ask for balances'}
        </button>
      </div>
      {message && <div class={`notice ${message.error ? 'error' : 'success'}`} role="status">{message.text}</div>}
      {syncing && (
        <SyncProvider p={syncing} onClose={() => setSyncing(null)}
          onDone={(r) => { setSyncing(null); setMessage({ text: `Imported ${number(r.imported)} services from ${syncing.name}, ${number(r.routed)} routed to it.` }); }} />
      )}
      <Loading state={state}>{(d) => (
        <Card>
          <Table label="Providers" head={['Name', 'Dialect', 'URL', 'Timeout', { label: 'Balance', num: true }, 'State', '']}
            empty="No providers yet: add one with warung provider add."
            rows={d.providers.map((p) => (
              <tr class={p.enabled ? '' : 'dim'}>
                <td><strong>{p.name}</strong><div class="muted small">since {time(p.created_at)}</div></td>
                <td>{p.dialect}</td><td class="ellipsis" title={p.url}>{p.url || '—'}</td><td>{number(p.timeout_ms)} ms</td>
                <td class="num">{!balances ? <span class="muted">—</span>
                  : p.balance != null ? rupiah(p.balance) : <span class="neg" title={p.balance_error}>{p.balance_error || 'unavailable'}</span>}</td>
                <td><span class={`badge ${p.enabled ? 's-success' : 's-error'}`}>{p.enabled ? 'enabled' : 'disabled'}</span></td>
                <td class="nowrap">
                  <button type="button" class="btn ghost small" onClick={() => toggle(p)}>{p.enabled ? 'Disable' : 'Enable'}</button>
                  {p.dialect !== 'manual' && <button type="button" class="btn ghost small" onClick={() => setSyncing(p)}>Import services</button>}
                </td>
              </tr>
            ))} />
        </Card>
      )}</Loading>
    </>
  );
}

function SyncProvider({ p, onClose, onDone }) {
  const form = useForm({ markup: '20', prefix: `${p.name.toUpperCase()}-` });
  const submit = (e) => {
    e.preventDefault();
    form.submit(async (v) => {
      const markup = Number(v.markup);
      if (!/^\d+$/.test(v.markup.trim()) || markup > 1000) throw fieldError('markup', 'A whole percent from 0 to 1000.');
      onDone(await post(`providers/${encodeURIComponent(p.name)}/sync`, { markup, prefix: v.prefix }));
    });
  };
  return (
    <Modal title={`Import services from ${p.name}`} onClose={onClose}>
      <form class="stack" onSubmit={submit} novalidate>
        <p class="hint">Asks {p.name} for its service list and adds or updates ours, priced at its rate plus the markup, routed to it.</p>
        <FormError form={form} />
        <Field label="Markup (%)" name="markup" form={form} inputmode="numeric" />
        <Field label="Our code prefix" name="prefix" form={form} hint="Our code is the prefix and the provider's code." />
        <button class="btn primary" type="submit" disabled={form.busy}>{form.busy ? 'Importing…' : 'Import'}</button>
      </form>
    </Modal>
  );
}
