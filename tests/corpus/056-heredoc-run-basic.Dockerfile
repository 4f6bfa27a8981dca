# syntax=docker/dockerfile:1
FROM alpine
RUN <<EOF
set -eux
apk add --no-cache curl
EOF
