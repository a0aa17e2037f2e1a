-- type=order on one endpoint (WARUNG_BENCH_KIND). Every target is unique (run tag,
-- thread id, counter), so no order is refused as a duplicate pending one; accounts and
-- services rotate. response() counts 200s: bench/run checks that many orders landed.
local c = dofile(os.getenv("WARUNG_BENCH_LUA") .. "/common.lua")
local accounts = c.accounts()
local services = c.services(c.kind)
local path = c.path(c.kind)
local social = c.kind == "social-media"
local n = 0
local head

c.install(true)

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
