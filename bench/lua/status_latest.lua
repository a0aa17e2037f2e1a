-- type=status without ref_id: the latest 15 orders, for the accounts that have orders
-- (those in refs.txt), on both endpoints. Requests are built once (common.lua).
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local requests = {}
local n = 0

c.install()

function init(args)
  local accounts = c.accounts()
  local seen = {}
  for _, r in ipairs(c.refs()) do
    if not seen[r.account] then
      seen[r.account] = true
      local body = accounts[r.account] .. "&type=status"
      requests[#requests + 1] = c.post(c.path("social-media"), body)
      requests[#requests + 1] = c.post(c.path("game"), body)
    end
  end
end

function request()
  n = n + 1
  return requests[(id * 7919 + n) % #requests + 1]
end
