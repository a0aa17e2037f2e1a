-- type=status with a ref_id placed by the seed tool; alternates the two endpoints as
-- the refs file does.
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local accounts = c.accounts()
local refs = c.refs()
local n = 0

c.install(false)

function request()
  n = n + 1
  local r = refs[(id * 7919 + n * 13) % #refs + 1]
  local body = accounts[r.account] .. "&type=status&ref_id=" .. r.ref
  return wrk.format("POST", c.path(r.kind), c.form, body)
end
