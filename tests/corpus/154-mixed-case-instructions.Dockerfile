FrOm alpine
rUn echo mixed
Copy a b
eNtRyPoInT ["x"]
HealthCheck NONE
