-- GET at a fixed offered rate (BENCH_RATE requests/s over all threads;
-- BENCH_THREADS threads) instead of as fast as the server answers, with a
-- bearer token when BENCH_TOKEN is set.
--
-- A saturated closed loop (plain wrk) keeps every connection busy, so its
-- latency is the connection count divided by the rate (Little's law) whatever
-- the server does. Here each thread hands out send times one interval apart to
-- whichever of its connections is free next; latency is measured from the
-- send, so it is the server's answer time at that load. A send time that has
-- passed is not made up for later (no bursts): when the server cannot keep up,
-- the achieved rate falls below BENCH_RATE, and the caller compares the two.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } crew_timespec;
int clock_gettime(int clock, crew_timespec *now);
]]
local now_buffer = ffi.new("crew_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_buffer) -- CLOCK_MONOTONIC
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function init(args)
  interval = 1000 * tonumber(os.getenv("BENCH_THREADS")) / tonumber(os.getenv("BENCH_RATE"))
  next_send = nil
end

function delay()
  local now = now_ms()
  if next_send == nil or next_send < now then next_send = now end
  local wait = next_send - now
  next_send = next_send + interval
  return math.floor(wait + 0.5)
end
