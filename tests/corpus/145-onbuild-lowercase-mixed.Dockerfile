FROM alpine
onbuild run echo lower
OnBuild Copy a b
ONBUILD env A b
