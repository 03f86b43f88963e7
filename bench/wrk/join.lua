-- POST /api/v1/join/{BENCH_LINK}, each request as the next distinct person of
-- BENCH_TOKENS (threads take every k-th line); prints how many joins each
-- status code got. When the people run out it asks for /health instead (a 200
-- in the counts says so): size the token file above rate × duration.
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  local all = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do table.insert(all, line) end
  mine = {}
  local stride = tonumber(os.getenv("BENCH_THREADS"))
  for i = id + 1, #all, stride do table.insert(mine, all[i]) end
  next_index = 0
  statuses = {}
  path = "/api/v1/join/" .. os.getenv("BENCH_LINK")
end
function request()
  next_index = next_index + 1
  local token = mine[next_index]
  if token == nil then return wrk.format("GET", "/health") end
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "")
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + count end
  end
  for status, count in pairs(total) do io.write(string.format("status %d: %d\n", status, count)) end
end
