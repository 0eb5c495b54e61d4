-- spec.paused is desired state: Git may own it (see the README's GitOps section).
obj.spec.paused = true
return obj
