-- GET /api/v1/persons/{id_number} for ID numbers drawn from ids.txt (one per line), with a bearer token.
local ids = {}
local token = os.getenv("YZ_TOKEN")
function init(args)
  for line in io.lines(os.getenv("YZ_IDS")) do ids[#ids + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end
function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/v1/persons/" .. id, { ["Authorization"] = "Bearer " .. token })
end
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "percentiles.lua")
