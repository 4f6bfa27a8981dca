FROM alpine
COPY --chmod=755 <<EOF /usr/local/bin/entrypoint.sh
#!/bin/sh
set -e
exec "$@"
EOF
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
