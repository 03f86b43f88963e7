-- GET with a bearer token (BENCH_TOKEN); counts status codes per thread.
local token = os.getenv("BENCH_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
