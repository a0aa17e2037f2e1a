-- type=order on one endpoint (WARUNG_BENCH_KIND). Every target is unique (run tag,
-- thread id, counter), so no order is refused as a duplicate pending one; accounts
-- (those without seeded orders, see below) and services rotate. The summary's ok
-- counts the 200s (common.lua): bench/run checks that many orders landed.
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
-- Orders go to the accounts without seeded orders: the status runs before the order
-- runs and after the filler orders then read the same rows, and compare data size only
-- (had the order runs reached the status accounts, their latest 15 would be rows
-- scattered over the pages of 300,000 bench orders instead of 15 neighbouring ones).
local accounts = {}
do
  local has_orders = {}
  for _, r in ipairs(c.refs()) do has_orders[r.account] = true end
  local all = c.accounts()
  for i, a in ipairs(all) do
    if not has_orders[i] then accounts[#accounts + 1] = a end
  end
  if #accounts == 0 then accounts = all end
end
local services = c.services(c.kind)
local path = c.path(c.kind)
local social = c.kind == "social-media"
local n = 0
local head

c.install()

function init(args) head = c.head(path) end

function request()
  n = n + 1
  local a = accounts[(id * 7919 + n) % #accounts + 1]
  local s = services[(id * 104729 + n * 7) % #services + 1]
  local target
  if social then
    target = string.format("https://instagram.com/p/b%d-%d-%d", c.tag, id, n)
  else
    target = string.format("%03d%02d%d", c.tag % 1000, id, n)
  end
  local body = a .. "&type=order&service=" .. s.code .. "&data1=" .. target .. s.rest
  return head .. #body .. "\r\n\r\n" .. body
end
