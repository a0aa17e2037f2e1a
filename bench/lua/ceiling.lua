-- The ceiling: POST /healthz (a fixed JSON answer, no work) with a body the size of a
-- status query, generated per request like the other scripts so wrk's own cost is the
-- same. Used against warung and against nginx.
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local bodies = {}
for i, a in ipairs(c.accounts()) do bodies[i] = a .. "&type=status&ref_id=0123456789abcdefghij" end
local n = 0

c.install(false)

function request()
  n = n + 1
  return wrk.format("POST", "/healthz", c.form, bodies[(id * 7919 + n) % #bodies + 1])
end
