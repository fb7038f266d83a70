-- GET the HTML pages listed in YZ_PAGES (one path per line), signed in with the session cookie
-- in YZ_COOKIE; each request picks a random line.
local paths = {}
local cookie = os.getenv("YZ_COOKIE")
function init(args)
  for line in io.lines(os.getenv("YZ_PAGES")) do paths[#paths + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)], { ["Cookie"] = cookie })
end
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "percentiles.lua")
