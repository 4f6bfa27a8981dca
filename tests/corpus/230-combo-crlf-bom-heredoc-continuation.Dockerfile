# syntax=docker/dockerfile:1
FROM alpine
RUN --mount=type=cache,target=/var/cache/apk \
    <<EOF
apk add curl
EOF
CMD ["sh"]
