from alpine:3.19 as base
arg version=1
env app_home=/app
workdir /app
copy . .
run echo lower
expose 8080
user nobody
cmd ["./app"]
