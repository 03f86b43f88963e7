-- Signs up distinct people (POST /api/v1/auth/signup) and writes their session
-- tokens, one a line, to BENCH_TOKENS_OUT: the joiners of join.lua.
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  n = 0
  tokens = {}
  prefix = os.getenv("BENCH_PREFIX") .. "-" .. id .. "-"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  local body = string.format('{"email":"%s%d@joiners.crew.test","password":"a long password","name":"Joiner %d"}', prefix, n, n)
  return wrk.format("POST", "/api/v1/auth/signup", nil, body)
end
function response(status, headers, body)
  if status == 201 then
    local token = string.match(body, '"token"%s*:%s*"([^"]+)"')
    if token then table.insert(tokens, token) end
  end
end
function done(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_TOKENS_OUT"), "w")
  for _, thread in ipairs(threads) do
    local list = thread:get("tokens")
    for _, t in ipairs(list) do out:write(t, "\n") end
  end
  out:close()
end
