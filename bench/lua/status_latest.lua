-- type=status without ref_id: the latest 15 orders, alternating the two endpoints,
-- for the accounts that have orders (those in refs.txt).
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local accounts = c.accounts()
local with_orders, seen = {}, {}
for _, r in ipairs(c.refs()) do
  if not seen[r.account] then
    seen[r.account] = true
    with_orders[#with_orders + 1] = accounts[r.account] .. "&type=status"
  end
end
local n = 0

c.install(false)

function request()
  n = n + 1
  local body = with_orders[(id * 7919 + n) % #with_orders + 1]
  return wrk.format("POST", c.path(n % 2 == 0 and "game" or "social-media"), c.form, body)
end
