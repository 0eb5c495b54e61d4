-- Health of a canaryoperator.dev CanaryRelease. Uses no string or math library: Argo CD's Lua
-- sandbox has neither unless open libs are enabled.
local hs = {}
if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick the release up"
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(obj.metadata.generation)
  return hs
end
local phase = obj.status.phase
local message = obj.status.message
if message == nil then
  message = "phase " .. phase
end
if phase == "Promoted" or phase == "Completed" then
  hs.status = "Healthy"
elseif phase == "RolledBack" or phase == "Failed" then
  hs.status = "Degraded"
elseif phase == "Paused" then
  hs.status = "Suspended"
else
  -- Pending, Progressing, Finalising
  hs.status = "Progressing"
end
hs.message = phase .. ": " .. message
return hs
