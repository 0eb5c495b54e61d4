-- Requests "promote" for the current rollout: the value names it (<rolloutId>.<attempt>), so a value
-- restored or replayed later acts on nothing; the resourceVersion makes each click a new request.
local attempt = 1
if obj.status.attempt ~= nil then
  attempt = obj.status.attempt
end
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["canaryoperator.dev/promote"] = obj.status.rolloutId .. "." .. tostring(attempt) .. "/argocd-" .. obj.metadata.resourceVersion
return obj
