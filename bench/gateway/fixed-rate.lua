-- A fixed offered load for wrk, which has none of its own: each connection waits `delay_ms` after each answer
-- before its next request, so that `connections` connections offer about connections * 1000 / delay_ms requests/s
-- (a little less, by the time each request takes).
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "10")

function delay()
  return delay_ms
end
