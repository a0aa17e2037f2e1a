-- type=status with a ref_id placed by the seed tool; alternates the two endpoints as
-- the refs file does. Requests are built once (common.lua).
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local requests = {}
local n = 0

c.install()

function init(args)
  local accounts = c.accounts()
  for i, r in ipairs(c.refs()) do
    requests[i] = c.post(c.path(r.kind), accounts[r.account] .. "&type=status&ref_id=" .. r.ref)
  end
end

function request()
  n = n + 1
  return requests[(id * 7919 + n * 13) % #requests + 1]
end
