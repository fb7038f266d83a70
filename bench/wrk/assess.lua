-- POST /api/v1/assess with one contract record.
local token = os.getenv("YZ_TOKEN")
wrk.method = "POST"
wrk.path = "/api/v1/assess"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"ref":"b1","id_number":"440106197501011232","as_of":"2016-06-01","hukou_local":true,' ..
  '"registered_unemployed":true,"unemployment_registered_on":"2016-01-04","able_to_work":true,' ..
  '"willing_to_be_assisted":true,"minimum_living_allowance":true}'
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "percentiles.lua")
