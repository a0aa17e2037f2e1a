-- type=service on one endpoint (WARUNG_BENCH_KIND), rotating accounts (and so price
-- levels). Requests are built once (common.lua).
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local requests = {}
local n = 0

c.install()

function init(args)
  for i, a in ipairs(c.accounts()) do requests[i] = c.post(c.path(c.kind), a .. "&type=service") end
end

function request()
  n = n + 1
  return requests[(id * 7919 + n) % #requests + 1]
end
