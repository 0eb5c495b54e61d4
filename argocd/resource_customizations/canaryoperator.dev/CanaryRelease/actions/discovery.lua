-- Which requests make sense now. Each action writes a request bound to the current rollout
-- (<status.rolloutId>.<status.attempt>/...), which the operator acts on once.
local actions = {}
local phase = nil
local awaiting = false
local started = false
if obj.status ~= nil then
  phase = obj.status.phase
  awaiting = obj.status.awaitingPromotion == true
  started = obj.status.rolloutId ~= nil
end
local paused = obj.spec ~= nil and obj.spec.paused == true
local moving = phase == "Progressing" or phase == "Paused"
local underWay = moving or phase == "Pending" or phase == "Failed" or phase == "Finalising"
actions["promote"] = {["disabled"] = not (started and phase == "Paused" and awaiting and not paused)}
actions["promote-full"] = {["disabled"] = not (started and moving and not paused)}
actions["abort"] = {["disabled"] = not (started and underWay)}
actions["retry"] = {["disabled"] = not (started and phase == "RolledBack")}
actions["pause"] = {["disabled"] = paused or not moving}
actions["resume"] = {["disabled"] = not paused}
return actions
