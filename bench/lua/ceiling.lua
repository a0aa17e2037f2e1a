-- The ceiling: POST /healthz (a fixed JSON answer, no work) with a body the size of a
-- status query, rotating accounts like the other scripts and built once like theirs
-- (common.lua), so wrk's own cost is the same. Used against warung and against nginx.
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local requests = {}
local n = 0

c.install()

function init(args)
  for i, a in ipairs(c.accounts()) do
    requests[i] = c.post("/healthz", a .. "&type=status&ref_id=0123456789abcdefghij")
  end
end

function request()
  n = n + 1
  return requests[(id * 7919 + n) % #requests + 1]
end
