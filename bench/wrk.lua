-- wrk.lua -- the request mix of dev/bench, one script for every case so
-- wrk does the same work whatever answers.
--
--   wrk ... -s bench/wrk.lua URL -- MODE TARGETS
--   MODE    ceiling | get   GET a collection (the ceiling answers it blindly)
--           list            GET the owner's collections (limit 50)
--           tracks          GET a page of 200 tracks of a 200-track collection
--           mutate          add a spare track to a collection, then remove it
--   TARGETS lines "org collection key spare_track tracks_collection"
--
-- Requests are built in init(); each thread walks the targets from its own
-- starting point.  done() prints one RESULT line for bench.py.

local reqs, idx = {}, 1
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tno", threads)
end

function init(args)
   local mode, path = args[1], args[2]
   local base = "/v1/music/"
   for line in io.lines(path) do
      local org, coll, key, spare, tcoll = line:match("^(%S+) (%S+) (%S+) (%S+) (%S+)")
      if org then
         local h = { ["Authorization"] = "Bearer " .. key }
         if mode == "get" or mode == "ceiling" then
            reqs[#reqs + 1] = wrk.format("GET", base .. org .. "/collections/" .. coll, h)
         elseif mode == "list" then
            reqs[#reqs + 1] = wrk.format("GET", base .. org .. "/collections?limit=50&offset=0", h)
         elseif mode == "tracks" then
            if tcoll ~= "-" then
               reqs[#reqs + 1] = wrk.format("GET", base .. org .. "/collections/" .. tcoll ..
                                            "/tracks?limit=200&offset=0", h)
            end
         elseif mode == "mutate" then
            local hj = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
            reqs[#reqs + 1] = wrk.format("POST", base .. org .. "/collections/" .. coll .. "/tracks",
                                         hj, '{"track_id":"' .. spare .. '"}')
            reqs[#reqs + 1] = wrk.format("DELETE", base .. org .. "/collections/" .. coll ..
                                         "/tracks/" .. spare, h)
         end
      end
   end
   if #reqs == 0 then error("wrk.lua: no requests for mode " .. tostring(mode)) end
   idx = ((tno or 1) * 7919) % #reqs + 1
   if mode == "mutate" and idx % 2 == 0 then idx = idx - 1 end
end

function request()
   local r = reqs[idx]
   idx = idx % #reqs + 1
   return r
end

function done(s, lat, req)
   io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d errors=%d\n",
      s.requests, s.requests / (s.duration / 1e6), lat:percentile(50) / 1000,
      lat:percentile(99) / 1000, lat.max / 1000, s.errors.status,
      s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout))
end
