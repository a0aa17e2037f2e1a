-- Shared by the bench/run wrk scripts (loaded with dofile). Environment:
--   WARUNG_BENCH_DATA  directory with accounts.txt, services.txt, refs.txt (bench/seed.cpp)
--   WARUNG_BENCH_TAG   a number unique to this run (order targets embed it)
--   WARUNG_BENCH_KIND  social-media | game (scripts that serve one endpoint)
--   WARUNG_BENCH_LIMIT stop each thread after this many answers (--instructions)
-- Each wrk thread runs its own copy of the script: setup() numbers the threads, so
-- thread id + a per-thread counter makes every generated value unique.
--
-- Requests that need not be unique (status, service, the ceilings) are built once per
-- thread in init() and picked in rotation, as wrk's SCRIPTING notes advise for fast
-- servers: building each with wrk.format cost wrk more CPU than the server spent on
-- a /healthz answer, on the two cores they share. Orders are built per request (their
-- targets are unique), from a request head built once.

local M = {}

M.data = os.getenv("WARUNG_BENCH_DATA") or "."
M.tag = tonumber(os.getenv("WARUNG_BENCH_TAG") or "1")
M.kind = os.getenv("WARUNG_BENCH_KIND") or "social-media"
M.limit = tonumber(os.getenv("WARUNG_BENCH_LIMIT") or "0")
M.form = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function M.path(kind) return kind == "game" and "/api/game" or "/api/social-media" end

-- A whole POST request with a form body, as wrk.format builds it.
function M.post(path, body) return wrk.format("POST", path, M.form, body) end

-- The request line and headers of a form POST up to "Content-Length: "; append the
-- body's length, a blank line and the body.
function M.head(path)
  return "POST " .. path .. " HTTP/1.1\r\nHost: " .. wrk.host ..
    "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
end

-- accounts.txt: user_id key sign  ->  "key=...&sign=..." per account
function M.accounts()
  local out = {}
  for line in io.lines(M.data .. "/accounts.txt") do
    local _, key, sign = line:match("^(%S+) (%S+) (%S+)$")
    if key then out[#out + 1] = "key=" .. key .. "&sign=" .. sign end
  end
  assert(#out > 0, "no accounts in " .. M.data .. "/accounts.txt")
  return out
end

-- services.txt: kind code data2 data3 ("-": the service has no such field)
function M.services(kind)
  local out = {}
  for line in io.lines(M.data .. "/services.txt") do
    local k, code, d2, d3 = line:match("^(%S+) (%S+) (%S+) (%S+)$")
    if k == kind then
      local rest = ""
      if d2 ~= "-" then rest = rest .. "&data2=" .. d2 end
      if d3 ~= "-" then rest = rest .. "&data3=" .. d3 end
      out[#out + 1] = { code = code, rest = rest }
    end
  end
  assert(#out > 0, "no " .. kind .. " services in " .. M.data .. "/services.txt")
  return out
end

-- refs.txt: account_index kind ref_id
function M.refs()
  local out = {}
  for line in io.lines(M.data .. "/refs.txt") do
    local a, k, ref = line:match("^(%d+) (%S+) (%S+)$")
    if a then out[#out + 1] = { account = tonumber(a) + 1, kind = k, ref = ref } end
  end
  assert(#out > 0, "no refs in " .. M.data .. "/refs.txt")
  return out
end

-- wrk hooks shared by every script: thread numbering, the summary line bench/run parses.
local threads = {}

function M.install()
  function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
  end

  -- Only --instructions (WARUNG_BENCH_LIMIT) looks at each answer, to stop after so
  -- many: a response() hook makes wrk hand every answer's headers and body to Lua,
  -- about a quarter of wrk's CPU on the order routes, taken from the server's cores.
  if M.limit > 0 then
    answered = 0
    function response(status, headers, body)
      answered = answered + 1
      if answered >= M.limit then wrk.thread:stop() end
    end
  end

  -- ok: the answers wrk did not count as errors.status (which is status > 399). The
  -- server answers an order 200 or 4xx/5xx, never 1xx or 3xx, so these are its 200s.
  function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
      "WARUNG_RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "non2xx=%d ok=%d other=%d connect=%d read=%d write=%d timeout=%d bytes=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.status, summary.requests - e.status, e.status, e.connect,
      e.read, e.write, e.timeout, summary.bytes))
  end
end

return M
