-- type=service on one endpoint (WARUNG_BENCH_KIND), rotating accounts (and so price
-- levels).
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local bodies = {}
for i, a in ipairs(c.accounts()) do bodies[i] = a .. "&type=service" end
local path = c.path(c.kind)
local n = 0

c.install(false)

function request()
  n = n + 1
  return wrk.format("POST", path, c.form, bodies[(id * 7919 + n) % #bodies + 1])
end
