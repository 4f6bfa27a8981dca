FROM alpine
COPY <<EOF /config.json
{
  "cmd": ["a", "b"],
  "path": "C:\\x"
}
EOF
