import { get } from '../api.js';
import { time } from '../format.js';
import { navigate } from '../router.jsx';
import { Card, Loading, Pager, Table, useLoad } from '../ui.jsx';

export function Audit({ query }) {
  const page = Number(query.get('page')) || 1;
  const state = useLoad(() => get('audit', { page, per_page: 100 }), [page]);
  return (
    <>
      <div class="page-head"><h1>Audit log</h1></div>
      <Loading state={state}>{(d) => (
        <Card>
          <Table label="Audit log" head={['When', 'Operator', 'Action', 'Target', 'Detail']}
            empty="No changes made through the console or the admin API yet."
            rows={d.entries.map((e) => (
              <tr>
                <td class="nowrap">{time(e.at)}</td><td>{e.admin}</td><td class="mono">{e.action}</td>
                <td class="mono">{e.target}</td><td class="break mono small">{JSON.stringify(e.detail)}</td>
              </tr>
            ))} />
          <Pager page={d.page} hasMore={d.has_more} onPage={(p) => navigate(`/audit?page=${p}`)} />
        </Card>
      )}</Loading>
    </>
  );
}
