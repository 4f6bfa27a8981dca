FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine
COPY --from=build /app /usr/local/bin/app
COPY --from=0 /etc/passwd /etc/passwd
COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx.conf
