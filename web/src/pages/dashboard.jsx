import { useEffect, useRef } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip,
} from 'chart.js';
import { get } from '../api.js';
import { number, rupiah, rupiahShort, statusLabel, time } from '../format.js';
import { Link } from '../router.jsx';
import { Badge, Card, Loading, Table, useLoad } from '../ui.jsx';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement,
  Tooltip, Legend);

function ChartCanvas({ config, label }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return <div class="chart"><canvas ref={canvas} role="img" aria-label={label} /></div>;
}

const shortDate = (d) => `${d.slice(8, 10)}/${d.slice(5, 7)}`;

function moneyChart(days) {
  return {
    type: 'bar',
    data: {
      labels: days.map((d) => shortDate(d.date)),
      datasets: [
        { label: 'Revenue', data: days.map((d) => d.revenue - d.refunds), backgroundColor: '#0f766e' },
        { label: 'Profit', data: days.map((d) => d.profit), backgroundColor: '#f59e0b' },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { ticks: { callback: (v) => rupiahShort(v) } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${rupiah(c.raw)}` } } },
    },
  };
}

function ordersChart(days) {
  return {
    type: 'line',
    data: {
      labels: days.map((d) => shortDate(d.date)),
      datasets: [{ label: 'Orders', data: days.map((d) => d.orders), borderColor: '#2563eb', backgroundColor: '#2563eb', tension: 0.25 }],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
    },
  };
}

function Figures({ title, f }) {
  return (
    <Card title={title} class="figures">
      <dl class="stats">
        <div><dt>Orders</dt><dd data-testid={`${title}-orders`}>{number(f.orders)}</dd></div>
        <div><dt>Revenue</dt><dd data-testid={`${title}-revenue`}>{rupiah(f.revenue)}</dd></div>
        <div><dt>Refunds</dt><dd>{rupiah(f.refunds)}</dd></div>
        <div><dt>Cost</dt><dd>{rupiah(f.cost)}</dd></div>
        <div><dt>Profit</dt><dd class={f.profit < 0 ? 'neg' : ''}>{rupiah(f.profit)}</dd></div>
      </dl>
    </Card>
  );
}

export function Dashboard() {
  const state = useLoad(() => get('dashboard', { balances: 1 }), []);
  return (
    <>
      <div class="page-head">
        <h1>Dashboard</h1>
        <button type="button" class="btn ghost" onClick={state.reload} disabled={state.loading}>Refresh</button>
      </div>
      <Loading state={state}>{(d) => <DashboardBody d={d} />}</Loading>
    </>
  );
}

function DashboardBody({ d }) {
  const money = useRef(null);
  const counts = useRef(null);
  // One chart config per answer, so a refresh redraws and nothing else does.
  if (!money.current || money.current.d !== d) {
    money.current = { d, config: moneyChart(d.days) };
    counts.current = ordersChart(d.days);
  }
  return (
    <div class="grid">
      <Figures title="Today" f={d.today} />
      <Figures title="Last 30 days" f={d.last_30_days} />
      <Card title="Revenue and profit, last 30 days" class="wide">
        <ChartCanvas config={money.current.config} label="Revenue after refunds and profit per day" />
      </Card>
      <Card title="Orders per day">
        <ChartCanvas config={counts.current} label="Orders per day" />
      </Card>
      <Card title="Orders by status">
        <ul class="status-list">
          {Object.keys(statusLabel).map((s) => (
            <li><Link href={`/orders?status=${s}`}><Badge status={s} /></Link>
              <span data-testid={`status-${s}`}>{number(d.by_status[s] || 0)}</span></li>
          ))}
        </ul>
      </Card>
      <Card title="Best sellers, last 30 days" class="wide">
        <Table label="Best sellers" head={['Service', 'Kind', { label: 'Orders', num: true }, { label: 'Revenue', num: true }]}
          empty="No orders in the last 30 days."
          rows={d.top_services.map((s) => (
            <tr>
              <td><Link href={`/catalog/${s.kind}/${encodeURIComponent(s.code)}`}>{s.name}</Link> <span class="muted">{s.code}</span></td>
              <td>{s.kind}</td><td class="num">{number(s.orders)}</td><td class="num">{rupiah(s.revenue)}</td>
            </tr>
          ))} />
      </Card>
      <Card title="Provider balances">
        <Table label="Provider balances" head={['Provider', { label: 'Balance', num: true }]} empty="No providers."
          rows={d.providers.map((p) => (
            <tr>
              <td>{p.name}{!p.enabled && <span class="muted"> (disabled)</span>}</td>
              <td class="num">{p.balance != null ? rupiah(p.balance) : <span class="muted" title={p.balance_error}>{p.balance_error ? 'unavailable' : '—'}</span>}</td>
            </tr>
          ))} />
      </Card>
      <Card title={`Stuck for over ${Math.round(d.stuck.after_s / 60)} minutes`} class="wide">
        <Table label="Stuck orders" head={['Order', 'Account', 'Service', 'Status', 'Last change']}
          empty="Nothing is stuck."
          rows={d.stuck.orders.map((o) => (
            <tr>
              <td><Link href={`/orders/${encodeURIComponent(o.ref_id)}`}>{o.ref_id}</Link></td>
              <td>{o.user_id}</td><td>{o.name}</td><td><Badge status={o.status} /></td><td>{time(o.updated_at)}</td>
            </tr>
          ))} />
      </Card>
    </div>
  );
}
