import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { time } from '../format.js';
import { Link } from '../router.jsx';
import { Card, Loading, Table, useLoad } from '../ui.jsx';

export function Webhooks({ query }) {
  const [status, setStatus] = useState(query.get('status') || 'failed');
  const state = useLoad(() => get('webhooks', { status, limit: 200 }), [status]);
  const [message, setMessage] = useState(null);
  const replay = async (w) => {
    setMessage(null);
    try {
      await post(`webhooks/${w.id}/replay`);
      setMessage({ text: `Delivery ${w.id} for ${w.ref_id} will be sent again.` });
      state.reload();
    } catch (e) {
      setMessage({ error: true, text: e.message });
    }
  };
  return (
    <>
      <div class="page-head"><h1>Webhooks</h1></div>
      <div class="tabs" role="tablist">
        {[['failed', 'Failed'], ['pending', 'Pending'], ['delivered', 'Delivered'], ['', 'All']].map(([s, label]) => (
          <button type="button" role="tab" aria-selected={status === s} class={status === s ? 'on' : ''} onClick={() => setStatus(s)}>{label}</button>
        ))}
      </div>
      {message && <div class={`notice ${message.error ? 'error' : 'success'}`} role="status">{message.text}</div>}
      <Loading state={state}>{(d) => (
        <Card>
          <Table label="Webhook deliveries" head={['#', 'Order', 'URL', 'Status', 'Attempts', 'Created', 'Last error', '']}
            empty={status === 'failed' ? 'No failed deliveries.' : 'No deliveries.'}
            rows={d.webhooks.map((w) => (
              <tr>
                <td>{w.id}</td>
                <td><Link href={`/orders/${encodeURIComponent(w.ref_id)}`} class="mono">{w.ref_id}</Link></td>
                <td class="ellipsis" title={w.url}>{w.url}</td>
                <td><span class={`badge ${w.status === 'delivered' ? 's-success' : w.status === 'failed' ? 's-error' : 's-waiting'}`}>{w.status}</span></td>
                <td>{w.attempts}</td><td class="nowrap">{time(w.created_at)}</td><td class="break">{w.last_error}</td>
                <td>{w.status !== 'pending' && <button type="button" class="btn ghost small" onClick={() => replay(w)}>Replay</button>}</td>
              </tr>
            ))} />
        </Card>
      )}</Loading>
    </>
  );
}
